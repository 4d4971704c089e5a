#include "infer/localize.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "infer/simulate.h"
#include "model/topology_gen.h"

namespace kiriwake::infer {
namespace {

using model::Observation;
using model::Topology;

Topology Seed() {
  auto t = model::LoadTopology(std::string(KW_SOURCE_DIR) +
                               "/examples/seed-incident/topology.yaml");
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return std::move(t).value();
}

std::vector<std::string> Ids(const Topology& t, const std::vector<model::ComponentId>& ids) {
  std::vector<std::string> out;
  for (auto c : ids) out.push_back(t.component(c).id);
  return out;
}

Observation Obs(const Topology& t, const char* src, const char* dst, const char* net,
                uint64_t sent, uint64_t lost) {
  Observation o;
  o.src = *t.FindEndpoint(src);
  o.dst = *t.FindEndpoint(dst);
  o.network = *t.FindNetwork(net);
  o.sent = sent;
  o.lost = lost;
  return o;
}

// Every ordered host pair on every network, with loss from the given faulty components.
std::vector<Observation> FullMesh(const Topology& t,
                                  const std::vector<std::pair<std::string, double>>& faults,
                                  uint64_t sent) {
  model::PathFinder f(t);
  std::vector<Observation> out;
  for (size_t n = 0; n < t.networks().size(); ++n) {
    for (size_t a = 0; a < t.hosts().size(); ++a) {
      for (size_t b = 0; b < t.hosts().size(); ++b) {
        if (a == b) continue;
        model::Endpoint ea{model::Endpoint::Kind::kHost, static_cast<int32_t>(a)};
        model::Endpoint eb{model::Endpoint::Kind::kHost, static_cast<int32_t>(b)};
        auto p = f.Find(ea, eb, static_cast<int32_t>(n));
        double survive = 1;
        for (const auto& e : p->entries) {
          for (const auto& [id, rate] : faults) {
            if (t.component(e.component).id == id) survive *= 1 - rate;
          }
        }
        Observation o;
        o.src = ea;
        o.dst = eb;
        o.network = static_cast<int32_t>(n);
        o.sent = sent;
        o.lost = static_cast<uint64_t>(std::lround(static_cast<double>(sent) * (1 - survive)));
        out.push_back(o);
      }
    }
  }
  return out;
}

TEST(LocalizeSeedLab, DacCableFirstInAGroupWithOnlyItsTwoPorts) {
  Topology t = Seed();
  auto obs = model::LoadObservations(std::string(KW_SOURCE_DIR) +
                                         "/examples/seed-incident/observations.jsonl",
                                     t, {});
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  auto r = Localize(t, obs->observations, {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->suspects.size(), 1u) << "nothing else blamed";
  const Suspect& s = r->suspects[0];
  EXPECT_EQ(Ids(t, s.components),
            (std::vector<std::string>{"dac-esxi2-allied", "allied:2", "esxi2:vmnic2"}));
  EXPECT_GE(s.probability, 0.9);
  EXPECT_TRUE(r->culprit_named());
  EXPECT_NEAR(s.loss_ratio_estimate, 0.057, 0.02);
  EXPECT_EQ(s.evidence.lossy_paths, 4);
  EXPECT_EQ(s.evidence.clean_paths, 0);
  EXPECT_EQ(r->lossy_paths, 4);
  EXPECT_EQ(r->unexplained_lossy_paths, 0);
  auto ex = std::vector<std::string>();
  for (const Exonerated& e : r->exonerated) ex.push_back(t.component(e.component).id);
  for (const char* cleared : {"allied", "esxi2/x520", "esxi2/driver:ixgbe", "esxi2",
                              "dac-esxi1-allied", "mikrotik"}) {
    EXPECT_NE(std::find(ex.begin(), ex.end(), cleared), ex.end()) << cleared;
  }
}

TEST(LocalizeSeedLab, NextTestsSplitTheCableFromItsPortsCableSwapFirst) {
  Topology t = Seed();
  auto obs = model::LoadObservations(std::string(KW_SOURCE_DIR) +
                                         "/examples/seed-incident/observations.jsonl",
                                     t, {});
  ASSERT_TRUE(obs.ok());
  auto r = Localize(t, obs->observations, {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->next_tests.size(), 3u);
  EXPECT_EQ(r->next_tests[0].kind, NextTestKind::kSwapCable);
  EXPECT_EQ(Ids(t, r->next_tests[0].splits), std::vector<std::string>{"dac-esxi2-allied"});
  EXPECT_GT(r->next_tests[0].expected_gain_bits, r->next_tests[1].expected_gain_bits);
  EXPECT_EQ(r->next_tests[1].kind, NextTestKind::kMoveUplink);
  EXPECT_NE(r->next_tests[1].action.find("free port allied:4"), std::string::npos)
      << r->next_tests[1].action;
}

TEST(LocalizeCleanLab, NoLossNamesNoCulprit) {
  Topology t = Seed();
  auto r = Localize(t, FullMesh(t, {}, 200), {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->suspects.empty());
  EXPECT_FALSE(r->culprit_named());
  EXPECT_EQ(r->lossy_paths, 0);
}

TEST(LocalizeBackground, ASingleLostProbeIsToleratedAsBackground) {
  Topology t = Seed();
  auto obs = FullMesh(t, {}, 1000);
  obs[0].lost = 1;
  auto r = Localize(t, obs, {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->suspects.empty());
}

TEST(LocalizeBackground, LossBelowBackgroundIsCleanHoweverManyProbesWereSent) {
  // 0.05% lost against a 0.1% background. The tail P(X >= 5,000) under Bin(10M, 0.001) is ~1;
  // a sum of terms from 5,000 upward, cut after 2,000 of them, never reached the mode (10,000)
  // and called it ~0: significant loss.
  Topology t = Seed();
  for (auto [sent, lost] : {std::pair<uint64_t, uint64_t>{10'000'000, 5'000},
                            {5'000'000, 100},
                            {1'000'000'000'000'000, 1}}) {
    std::vector<Observation> obs = {Obs(t, "esxi1", "esxi2", "service", sent, lost)};
    auto r = Localize(t, obs, {});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->lossy_paths, 0) << lost << " of " << sent;
    EXPECT_EQ(r->weak_paths, 0) << lost << " of " << sent;
    EXPECT_TRUE(r->suspects.empty()) << lost << " of " << sent;
  }
  // And well above it, at the same scale, still is lossy.
  std::vector<Observation> obs = {Obs(t, "esxi1", "esxi2", "service", 10'000'000, 12'000)};
  auto r = Localize(t, obs, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lossy_paths, 1);
}

// A fabric that drops 1% everywhere, measured against the default 0.1% background: every leaf
// is named at a fraction of a percent. The result says the loss is widespread, with the median
// path's loss ratio; taken as the background, it leaves the one real fault.
TEST(LocalizeBackground, LossEverywhereIsCalledWidespreadWithTheMedianPathsRatio) {
  auto t = Topology::Build(model::LeafSpine(8, 2, 6));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  SimOptions so;
  so.faults = 1;
  so.min_loss_ratio = so.max_loss_ratio = 0.08;
  so.probes_per_pair = 200;
  so.include_vms = false;
  so.background_loss_ratio = 0.01;
  so.seed = 7;
  auto sc = Simulate(*t, so);
  ASSERT_TRUE(sc.ok()) << sc.status().ToString();
  auto r = Localize(*t, sc->observations, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  int named = 0;
  for (const Suspect& s : r->suspects) named += s.diagnosed();
  EXPECT_GE(named, 5);
  EXPECT_GT(r->widespread_loss_ratio, 0.005);
  EXPECT_LT(r->widespread_loss_ratio, 0.02);

  LocalizeOptions lo;
  lo.background_loss_ratio = r->widespread_loss_ratio;
  auto again = Localize(*t, sc->observations, lo);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->widespread_loss_ratio, 0);
  ASSERT_TRUE(again->culprit_named());
  EXPECT_EQ(t->component(again->suspects[0].components[0]).id,
            t->component(sc->truth[0].component).id);

  // The same fault without the widespread loss: not called widespread.
  so.background_loss_ratio = 0.0002;
  auto quiet = Simulate(*t, so);
  ASSERT_TRUE(quiet.ok());
  auto q = Localize(*t, quiet->observations, {});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->widespread_loss_ratio, 0);
  EXPECT_TRUE(q->culprit_named());
}

TEST(LocalizeEvidence, LossTooSmallToBeSignificantAloneIsCountedApartFromCleanPaths) {
  // 2 of 100: P(X >= 2) under the 0.1% background is ~0.005, a candidate (<= 0.05) but not
  // lossy (< 0.001). On two hosts the engine names a culprit from it; its evidence said "0 lossy
  // paths and 1 clean one" and the summary "0 lossy; 1 culprit named".
  auto t = model::ParseTopology(R"(hosts:
  - {name: h1, addresses: {n: 10.77.0.1}, nics: [{name: c, driver: d, ports: [p0]}]}
  - {name: h2, addresses: {n: 10.77.0.2}, nics: [{name: c, driver: d, ports: [p0]}]}
switches:
  - {name: sw, ports: 8}
cables:
  - {name: c1, a: h1:p0, b: sw:1}
  - {name: c2, a: h2:p0, b: sw:2}
networks:
  - {name: n, uplinks: {h1: p0, h2: p0}}
)",
                                "t.yaml");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::vector<Observation> obs = {Obs(*t, "h1", "h2", "n", 100, 2)};
  auto r = Localize(*t, obs, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lossy_paths, 0);
  EXPECT_EQ(r->weak_paths, 1);
  ASSERT_FALSE(r->suspects.empty());
  const Evidence& ev = r->suspects[0].evidence;
  EXPECT_EQ(ev.lossy_paths, 0);
  EXPECT_EQ(ev.weak_paths, 1);
  EXPECT_EQ(ev.clean_paths, 0);
}

TEST(LocalizeRoutes, CountsThatWouldWrapWhenAFlowsLinesAreAddedAreAnError) {
  Topology t = Seed();
  std::vector<Observation> obs = {Obs(t, "esxi1", "esxi2", "service", uint64_t{1} << 63, 0),
                                  Obs(t, "esxi1", "esxi2", "service", uint64_t{1} << 63, 2)};
  obs[1].loc = SourceLoc{"o.jsonl", 2, 1};
  auto r = Localize(t, obs, {});
  ASSERT_FALSE(r.ok()) << "the sum wrapped to 0 sent, 2 lost: a verdict from nothing";
  EXPECT_EQ(r.status().loc().line, 2) << r.status().ToString();
}

TEST(LocalizeNextTests, MovingAnUplinkNamesACabledPortNeverADeadOne) {
  // Two hosts with a spare port each: p1 uncabled, p2 cabled to the same switch.
  auto t = model::ParseTopology(R"(hosts:
  - {name: h1, addresses: {n: 10.77.0.1}, nics: [{name: c, driver: d, ports: [p0, p1, p2]}]}
  - {name: h2, addresses: {n: 10.77.0.2}, nics: [{name: c, driver: d, ports: [p0, p1, p2]}]}
switches:
  - {name: sw, ports: 8}
cables:
  - {name: c1, a: h1:p0, b: sw:1}
  - {name: c2, a: h2:p0, b: sw:2}
  - {name: s1, a: h1:p2, b: sw:3}
  - {name: s2, a: h2:p2, b: sw:4}
networks:
  - {name: n, uplinks: {h1: p0, h2: p0}}
)",
                                "t.yaml");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::vector<Observation> obs = {Obs(*t, "h1", "h2", "n", 1000, 60)};
  auto r = Localize(*t, obs, {});
  ASSERT_TRUE(r.ok());
  int moves = 0;
  for (const NextTest& n : r->next_tests) {
    // Host-port moves; a switch port's test moves the cable to a free switch port instead.
    if (n.kind != NextTestKind::kMoveUplink || n.action.rfind("move h", 0) != 0) continue;
    ++moves;
    EXPECT_EQ(n.action.find("to p1"), std::string::npos) << n.action;
    EXPECT_NE(n.action.find("to p2"), std::string::npos) << n.action;
  }
  EXPECT_GT(moves, 0);
}

TEST(LocalizeMultiFault, TwoFaultsOnDifferentNetworksAreBothFound) {
  Topology t = Seed();
  auto r = Localize(t, FullMesh(t, {{"dac-esxi2-allied", 0.05}, {"dac-esxi3-mikrotik", 0.08}},
                                200), {});
  ASSERT_TRUE(r.ok());
  std::vector<std::string> firsts;
  for (const Suspect& s : r->suspects) {
    if (s.diagnosed()) firsts.push_back(t.component(s.components[0]).id);
  }
  std::sort(firsts.begin(), firsts.end());
  EXPECT_EQ(firsts, (std::vector<std::string>{"dac-esxi2-allied", "dac-esxi3-mikrotik"}));
  for (const Suspect& s : r->suspects) {
    if (t.component(s.components[0]).id == "dac-esxi3-mikrotik") {
      EXPECT_NEAR(s.loss_ratio_estimate, 0.08, 0.02);
    }
  }
}

TEST(LocalizeMultiFault, SharedCardFaultIsPreferredOverTwoCables) {
  // Both X520 ports on esxi2 lose: one card explains it better than two independent cables.
  Topology t = Seed();
  auto r = Localize(t, FullMesh(t, {{"esxi2/x520", 0.06}}, 300), {});
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->suspects.empty());
  EXPECT_TRUE(r->suspects[0].diagnosed());
  auto ids = Ids(t, r->suspects[0].components);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "esxi2/x520"), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), "esxi2/driver:ixgbe"), ids.end())
      << "card and driver carry the same paths: one ambiguity group";
  int diagnosed = 0;
  for (const Suspect& s : r->suspects) diagnosed += s.diagnosed();
  EXPECT_EQ(diagnosed, 1);
}

TEST(LocalizeMultiFault, CardWhoseNetworksLoseAtNearlyTheSameRateIsNotReadAsTwoCables) {
  // esxi1's X520 drops ~2.7%, which sampling noise shows as 3.0% on the service network and 2.4%
  // on storage, while two other faults (a storage cable at 8%, a 1GbE cable) are lossy too.
  // Greedy picks the service cable first, then the storage cable; the card, tried alone against
  // the first cable, loses. One card with one rate explains both networks about as well as two
  // free rates and is likelier than two cables failing at once, so the exchange search must try
  // the card against the pair (localize_bench's home labs had two such misses in 300 runs).
  auto t = Topology::Build(model::HomeLab(4));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto r = Localize(*t,
                    FullMesh(*t,
                             {{"dac-esxi1-svc", 0.030},
                              {"dac-esxi1-sto", 0.024},
                              {"utp-esxi2-gbe", 0.036},
                              {"dac-esxi3-sto", 0.08}},
                             200),
                    {});
  ASSERT_TRUE(r.ok());
  std::vector<std::string> firsts;
  std::string named;
  const Suspect* card = nullptr;
  for (const Suspect& s : r->suspects) {
    if (!s.diagnosed()) continue;
    auto ids = Ids(*t, s.components);
    named += fmt::format("[{}] ", fmt::join(ids, ", "));
    firsts.push_back(ids[0]);
    if (std::find(ids.begin(), ids.end(), "esxi1/x520") != ids.end()) card = &s;
  }
  std::sort(firsts.begin(), firsts.end());
  EXPECT_EQ(firsts,
            (std::vector<std::string>{"dac-esxi3-sto", "esxi1/driver:ixgbe", "utp-esxi2-gbe"}))
      << named;
  ASSERT_NE(card, nullptr) << named;
  EXPECT_NEAR(card->loss_ratio_estimate, 0.027, 0.005);
}

TEST(LocalizeMultiFault, CardIsTriedInPlaceOfBothItsCablesAtOnce) {
  // One of localize_bench's random home labs (5 hosts, faults drawn by prior): esxi5's X520
  // drops 3.8% and esxi1's service cable 7.2%, on one of the same paths. Greedy names esxi5's two
  // cables, each at 3.7%. The card tried in place of one of them is refitted against the other,
  // which still explains its network, and the refits stop at the card plus a residual cable: no
  // better. Only the card in place of both shows the one-rate explanation.
  auto t = Topology::Build(model::HomeLab(5));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  SimOptions so;
  so.faults = 2;
  so.kinds = {model::ComponentKind::kCable,      model::ComponentKind::kHostPort,
              model::ComponentKind::kSwitchPort, model::ComponentKind::kCard,
              model::ComponentKind::kDriver,     model::ComponentKind::kSwitch};
  so.probes_per_pair = 200;
  so.draw_by_prior = true;
  so.keep_routes = true;
  so.seed = 9249594245430434066ULL;
  auto sc = Simulate(*t, so);
  ASSERT_TRUE(sc.ok()) << sc.status().ToString();
  std::vector<std::string> truth;
  for (const auto& f : sc->truth) truth.push_back(t->component(f.component).id);
  std::sort(truth.begin(), truth.end());
  ASSERT_EQ(truth, (std::vector<std::string>{"dac-esxi1-svc", "esxi5/x520"}))
      << "the simulator drew other faults from this seed";
  // On the traced routes, as the benchmark localizes (class order, and so greedy's path, differs
  // from Localize's folded paths, which happen to reach the card either way).
  LocalizeResult r = LocalizePaths(*t, KnownRoutePaths(*sc), {});
  std::vector<std::string> firsts;
  std::string named;
  for (const Suspect& s : r.suspects) {
    if (!s.diagnosed()) continue;
    auto ids = Ids(*t, s.components);
    named += fmt::format("[{}] ", fmt::join(ids, ", "));
    firsts.push_back(ids[0]);
  }
  std::sort(firsts.begin(), firsts.end());
  EXPECT_EQ(firsts, (std::vector<std::string>{"dac-esxi1-svc", "esxi5/driver:ixgbe"})) << named;
}

TEST(LocalizeMultiFault, TwoCablesOfOneCardAtDifferentRatesAreNotReadAsItsDriver) {
  // The mirror image: esxi2's two X520 cables lose 4.4% and 2.5%, and a third cable (esxi1's
  // storage cable) sits on one of the same paths. Greedy takes the driver first, at one rate for
  // both; dropping it and refilling greedily takes the host at a third of the rate, and stops
  // there. The three cables fit better by ~3 nats, more than the driver's prior advantage, so
  // the exchange search must also refill with cables alone.
  auto t = Topology::Build(model::HomeLab(4));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto r = Localize(
      *t,
      FullMesh(*t, {{"dac-esxi2-svc", 0.044}, {"dac-esxi2-sto", 0.025}, {"dac-esxi1-sto", 0.062}},
               200),
      {});
  ASSERT_TRUE(r.ok());
  std::vector<std::string> firsts;
  for (const Suspect& s : r->suspects) {
    if (s.diagnosed()) firsts.push_back(t->component(s.components[0]).id);
  }
  std::sort(firsts.begin(), firsts.end());
  EXPECT_EQ(firsts, (std::vector<std::string>{"dac-esxi1-sto", "dac-esxi2-sto", "dac-esxi2-svc"}));
  for (const Suspect& s : r->suspects) {
    if (t->component(s.components[0]).id == "dac-esxi2-sto") {
      EXPECT_NEAR(s.loss_ratio_estimate, 0.025, 0.005);
    }
  }
}

TEST(LocalizeAmbiguity, ACardThatFitsAsWellAsOneOfItsCablesGivenTheOtherJoinsThatCablesGroup) {
  // esxi2's card drops 3% and its service cable 5% more: the service paths lose ~7.9%, the
  // storage paths 3%. Cables A + B at those rates, and card + A, explain every path exactly
  // alike; the priors prefer the cables, but the card is no less consistent with what was
  // measured, so it must be named with B (not with A: card + B cannot make A's paths lose more
  // than B's) and B must not be reported as the whole story.
  auto t = Topology::Build(model::HomeLab(4));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto r = Localize(*t, FullMesh(*t, {{"esxi2/x520", 0.03}, {"dac-esxi2-svc", 0.05}}, 1000), {});
  ASSERT_TRUE(r.ok());
  const Suspect* svc = nullptr;
  const Suspect* sto = nullptr;
  for (const Suspect& s : r->suspects) {
    ASSERT_TRUE(s.diagnosed()) << t->component(s.components[0]).id;
    std::string first = t->component(s.components[0]).id;
    if (first == "dac-esxi2-svc") svc = &s;
    if (first == "dac-esxi2-sto") sto = &s;
  }
  ASSERT_NE(svc, nullptr);
  ASSERT_NE(sto, nullptr);
  EXPECT_EQ(r->suspects.size(), 2u);
  EXPECT_EQ(svc->alike_given_others, 0u);
  EXPECT_EQ(svc->components.size(), 3u);  // the cable and its two ports
  EXPECT_EQ(Ids(*t, sto->components),
            (std::vector<std::string>{"dac-esxi2-sto", "esxi2:vmnic3", "sto:2",
                                      "esxi2/driver:ixgbe", "esxi2/x520"}));
  EXPECT_EQ(sto->alike_given_others, 2u);
  EXPECT_EQ(sto->identical_members(), 3u);
  EXPECT_NEAR(sto->loss_ratio_estimate, 0.03, 0.003);
  // The card is in a group, so it is not also listed as cleared.
  for (const Exonerated& e : r->exonerated) {
    EXPECT_NE(t->component(e.component).id, "esxi2/x520");
  }
  // What splits them: swapping the storage cable.
  bool swap_sto = false;
  for (const NextTest& n : r->next_tests) {
    swap_sto = swap_sto || (n.kind == NextTestKind::kSwapCable &&
                            n.action.find("dac-esxi2-sto") != std::string::npos);
  }
  EXPECT_TRUE(swap_sto);
}

TEST(LocalizeAmbiguity, TwoCablesOnOneSwitchHaveNoMembersAlikeGivenTheOthers) {
  // Two cables into one switch share the path between their hosts, so the switch, its ports and
  // the far hosts' parts are all tried in each one's place; none fits as well (the switch would
  // make every other host's paths lose too), so the groups stay the path-identical ones.
  auto t = Topology::Build(model::HomeLab(5));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto r = Localize(*t, FullMesh(*t, {{"dac-esxi1-svc", 0.05}, {"dac-esxi3-svc", 0.04}}, 1000), {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->suspects.size(), 2u);
  for (const Suspect& s : r->suspects) {
    EXPECT_TRUE(s.diagnosed());
    EXPECT_EQ(s.alike_given_others, 0u) << Ids(*t, s.components).back();
    EXPECT_EQ(s.components.size(), 3u);
  }
}

TEST(LocalizeAmbiguity, OneLossyPathIsOneGroupAndAProbeIsProposed) {
  Topology t = Seed();
  // Only one measurement, and it is lossy: nothing separates the components on it.
  std::vector<Observation> obs = {Obs(t, "esxi1", "esxi2", "service", 200, 12)};
  auto r = Localize(t, obs, {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->suspects.size(), 1u);
  auto ids = Ids(t, r->suspects[0].components);
  EXPECT_EQ(ids.size(), 13u);
  EXPECT_EQ(ids[0].substr(0, 4), "dac-") << "cables first: the likeliest kind";
  EXPECT_NE(std::find(ids.begin(), ids.end(), "allied"), ids.end());
  bool probe = false;
  for (const NextTest& n : r->next_tests) probe |= n.kind == NextTestKind::kProbe;
  EXPECT_TRUE(probe) << "a pair through only one side splits esxi1's cable from esxi2's";
}

TEST(LocalizePriors, OverridingThePriorReordersTheGroup) {
  Topology t = Seed();
  auto obs = model::LoadObservations(std::string(KW_SOURCE_DIR) +
                                         "/examples/seed-incident/observations.jsonl",
                                     t, {});
  ASSERT_TRUE(obs.ok());
  LocalizeOptions o;
  ASSERT_TRUE(o.priors.Set("host_port", 0.3));
  EXPECT_FALSE(o.priors.Set("nonsense", 0.3));
  auto r = Localize(t, obs->observations, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(t.component(r->suspects[0].components[0]).id, "esxi2:vmnic2");
}

// Two leaves, two spines, two hosts on each leaf: a flow between leaves takes either spine.
Result<Topology> TwoLeavesTwoSpines() {
  return model::ParseTopology(R"(hosts:
  - {name: a, addresses: {n: 10.0.0.1}, nics: [{name: nic, driver: d, ports: [p0]}]}
  - {name: b, addresses: {n: 10.0.0.2}, nics: [{name: nic, driver: d, ports: [p0]}]}
  - {name: c, addresses: {n: 10.0.0.3}, nics: [{name: nic, driver: d, ports: [p0]}]}
  - {name: d, addresses: {n: 10.0.0.4}, nics: [{name: nic, driver: d, ports: [p0]}]}
switches: [{name: l1, ports: 8}, {name: l2, ports: 8}, {name: s1, ports: 8}, {name: s2, ports: 8}]
cables:
  - {name: ca, a: a:p0, b: l1:1}
  - {name: cb, a: b:p0, b: l1:2}
  - {name: cc, a: c:p0, b: l2:1}
  - {name: cd, a: d:p0, b: l2:2}
  - {name: l1s1, a: l1:7, b: s1:1}
  - {name: l1s2, a: l1:8, b: s2:1}
  - {name: l2s1, a: l2:7, b: s1:2}
  - {name: l2s2, a: l2:8, b: s2:2}
networks: [{name: n, uplinks: {a: p0, b: p0, c: p0, d: p0}}]
)", "ls.yaml");
}

// Six flows per ordered host pair, each on one route; those through `faulty` lose 10%.
ObservedPaths SixFlowsPerPair(const Topology& t, const std::string& faulty) {
  model::PathFinder f(t);
  auto bad = *t.FindComponent(faulty);
  ObservedPaths paths;
  const char* names[] = {"a", "b", "c", "d"};
  uint64_t hash = 7;
  for (const char* x : names) {
    for (const char* y : names) {
      if (std::string(x) == y) continue;
      auto ex = *t.FindEndpoint(x), ey = *t.FindEndpoint(y);
      for (int flow = 0; flow < 6; ++flow) {  // several flows (ports) per pair
        auto route = f.Route(ex, ey, 0, ++hash * 7919);
        bool hit = std::find(route->begin(), route->end(), bad) != route->end();
        paths.Add(f.Find(ex, ey, 0)->entries,
                  {500, hit ? 50u : 0u, static_cast<uint32_t>(paths.size())});
      }
    }
  }
  return paths;
}

TEST(LocalizeEcmp, FaultySpineLinkIsFoundThroughUncertainPaths) {
  auto t = TwoLeavesTwoSpines();
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto paths = SixFlowsPerPair(*t, "l1s1");
  auto r = LocalizePaths(*t, paths, {});
  ASSERT_FALSE(r.suspects.empty());
  EXPECT_TRUE(r.suspects[0].diagnosed());
  auto ids = Ids(*t, r.suspects[0].components);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "l1s1"), ids.end());
}

// The engine keeps no incidence for a loss-free crossing (it is only summarised), yet the
// evidence still counts every path a spine link may carry, and cites lossy ones first.
TEST(LocalizeEcmp, EvidenceCountsEveryPathThatMayCrossTheGroup) {
  auto t = TwoLeavesTwoSpines();
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto paths = SixFlowsPerPair(*t, "l1s1");
  int64_t lossy = 0, between_leaves = 0;
  auto spine_link = *t->FindComponent("l1s1");
  for (size_t i = 0; i < paths.size(); ++i) {
    bool crosses = std::any_of(paths.paths[i].begin(), paths.paths[i].end(),
                               [&](const model::PathEntry& e) { return e.component == spine_link; });
    between_leaves += crosses;
    lossy += paths.counts[i].lost > 0;
    if (paths.counts[i].lost > 0) {
      EXPECT_TRUE(crosses);
    }
  }
  ASSERT_EQ(between_leaves, 2 * 2 * 2 * 6);
  ASSERT_GT(lossy, 0);
  LocalizeOptions o;
  o.max_examples = 100;
  auto r = LocalizePaths(*t, paths, o);
  ASSERT_FALSE(r.suspects.empty());
  const Evidence& ev = r.suspects[0].evidence;
  EXPECT_EQ(ev.lossy_paths, lossy);
  EXPECT_EQ(ev.clean_paths, between_leaves - lossy);
  ASSERT_GT(ev.examples.size(), static_cast<size_t>(lossy));
  for (size_t i = 0; i < ev.examples.size(); ++i) {
    EXPECT_EQ(paths.counts.at(ev.examples[i]).lost > 0, i < static_cast<size_t>(lossy)) << i;
  }
}

}  // namespace
}  // namespace kiriwake::infer

namespace kiriwake::infer {
namespace {

TEST(LocalizeRoutes, TracedRoutesMakeEcmpPathsCertain) {
  auto t = model::Topology::Build(model::LeafSpine(2, 2, 2));
  ASSERT_TRUE(t.ok());
  // Flows between the two leaves, each traced through one spine; the spine1 link of leaf1 loses.
  std::string text;
  for (const char* a : {"h1-1", "h1-2"}) {
    for (const char* b : {"h2-1", "h2-2"}) {
      for (int spine : {1, 2}) {
        text += fmt::format(
            R"({{"src": "{0}", "dst": "{1}", "network": "fabric", "sent": 500, "lost": {2}, )"
            R"("route": ["{0}", "{0}/nic", "{0}/driver:mlx5", "{0}:eth0", "{0}-leaf1", "leaf1", )"
            R"("leaf1-spine{3}", "spine{3}", "leaf2-spine{3}", "leaf2", "{1}-leaf2", "{1}:eth0", )"
            R"("{1}/nic", "{1}/driver:mlx5", "{1}"]}})"
            "\n",
            a, b, spine == 1 ? 40 : 0, spine);
      }
    }
  }
  auto obs = model::ParseObservations(text, "r.jsonl", *t, {});
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  auto r = Localize(*t, obs->observations, {});
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->suspects.empty());
  EXPECT_TRUE(r->suspects[0].diagnosed());
  auto ids = Ids(*t, r->suspects[0].components);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "leaf1-spine1"), ids.end());
  EXPECT_EQ(std::find(ids.begin(), ids.end(), "leaf1-spine2"), ids.end());
  EXPECT_EQ(r->paths, 8);
}

// Repeats of one flow merge; distinct flows never do, even when a hash of them would collide.
// The old merge key XORed the endpoints with an FNV-style hash of the route, and that hash
// ignores a leading component 0: route [0, x, ...] keyed as [x, ...].
TEST(LocalizeRoutes, RepeatsOfAFlowMergeAndDistinctRoutesStayApart) {
  auto t = model::Topology::Build(model::LeafSpine(2, 2, 2));
  ASSERT_TRUE(t.ok());
  std::vector<std::string> route = {
      "h1-2",       "h1-2/nic",     "h1-2/driver:mlx5", "h1-2:eth0",        "h1-2-leaf1",
      "leaf1",      "leaf1-spine1", "spine1",           "leaf2-spine1",     "leaf2",
      "h2-1-leaf2", "h2-1:eth0",    "h2-1/nic",         "h2-1/driver:mlx5", "h2-1"};
  const std::string& first = t->component(0).id;
  ASSERT_EQ(std::find(route.begin(), route.end(), first), route.end()) << first;
  auto line = [](const std::vector<std::string>& r) {
    std::string names;
    for (const auto& n : r) names += (names.empty() ? "\"" : ", \"") + n + "\"";
    return fmt::format(R"({{"src": "h1-2", "dst": "h2-1", "network": "fabric", "sent": 100, )"
                       R"("lost": 0, "route": [{}]}})"
                       "\n",
                       names);
  };
  std::vector<std::string> longer = route;
  longer.insert(longer.begin(), first);
  auto obs = model::ParseObservations(line(route) + line(route) + line(longer), "r.jsonl", *t, {});
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  auto r = Localize(*t, obs->observations, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->paths, 2);
}

TEST(LocalizeRoutes, UnknownRouteComponentIsAnErrorWithItsLine) {
  auto t = model::Topology::Build(model::LeafSpine(2, 2, 2));
  ASSERT_TRUE(t.ok());
  auto obs = model::ParseObservations(
      R"({"src": "h1-1", "dst": "h2-1", "sent": 5, "lost": 0, "route": ["h1-1", "nope"]})", "r",
      *t, {});
  EXPECT_EQ(obs.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(obs.status().loc().line, 1);
}

// The engine keeps a byte per path for the loss-free paths' probe counts, and only the first 254
// distinct counts fit in it; paths with the others are read in full. With 400 distinct counts,
// which paths take which way depends on their order, so the same observations in reverse order
// must give the same verdict, rates and probabilities (to rounding: sums run in another order).
TEST(LocalizeEcmp, ManyDistinctProbeCountsGiveTheSameVerdictInEitherOrder) {
  auto t = Topology::Build(model::FatTree(6));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  SimOptions so;
  so.faults = 3;
  so.sampled_pairs = 3000;
  so.include_vms = false;
  so.seed = 5;
  auto sc = Simulate(*t, so);
  ASSERT_TRUE(sc.ok()) << sc.status().ToString();
  std::vector<Observation> obs = sc->observations;
  for (size_t i = 0; i < obs.size(); ++i) obs[i].sent = 200 + (i * 7919) % 400;
  std::vector<Observation> reversed(obs.rbegin(), obs.rend());
  auto a = Localize(*t, obs, {});
  auto b = Localize(*t, reversed, {});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_FALSE(a->suspects.empty());
  ASSERT_EQ(a->suspects.size(), b->suspects.size());
  for (size_t i = 0; i < a->suspects.size(); ++i) {
    const Suspect &x = a->suspects[i], &y = b->suspects[i];
    EXPECT_EQ(Ids(*t, x.components), Ids(*t, y.components)) << "suspect " << i;
    EXPECT_NEAR(x.probability, y.probability, 1e-9) << "suspect " << i;
    EXPECT_NEAR(x.loss_ratio_estimate, y.loss_ratio_estimate, 1e-9) << "suspect " << i;
  }
}

}  // namespace
}  // namespace kiriwake::infer

namespace kiriwake::infer {
namespace {

// The observations' paths, as LocalizePaths and FitFaultSet take them.
ObservedPaths PathsOf(const Topology& t, const std::vector<Observation>& obs) {
  model::PathFinder f(t);
  ObservedPaths out;
  for (uint32_t i = 0; i < obs.size(); ++i) {
    auto p = f.Find(obs[i].src, obs[i].dst, obs[i].network);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    out.Add(p.ok() ? std::span<const model::PathEntry>(p->entries) : std::span<const model::PathEntry>(),
            {obs[i].sent, obs[i].lost, i});
  }
  return out;
}

std::vector<model::ComponentId> IdsOf(const Topology& t, std::vector<std::string> names) {
  std::vector<model::ComponentId> out;
  for (const auto& n : names) {
    auto c = t.FindComponent(n);
    EXPECT_TRUE(c.has_value()) << n;
    if (c) out.push_back(*c);
  }
  return out;
}

TEST(FitFaultSet, LocalizesAnswerOutscoresItsRivalsAndNoFaultScoresZero) {
  Topology t = Seed();
  auto obs = model::LoadObservations(
      std::string(KW_SOURCE_DIR) + "/examples/seed-incident/observations.jsonl", t, {});
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  auto paths = PathsOf(t, obs->observations);
  LocalizeOptions o;
  auto none = FitFaultSet(t, paths, o, {});
  EXPECT_TRUE(none.faults.empty());
  EXPECT_EQ(none.score, 0.0);
  auto cable = FitFaultSet(t, paths, o, IdsOf(t, {"dac-esxi2-allied"}));
  ASSERT_EQ(cable.faults.size(), 1u);
  EXPECT_EQ(Ids(t, cable.faults[0].group),
            (std::vector<std::string>{"dac-esxi2-allied", "allied:2", "esxi2:vmnic2"}));
  EXPECT_NEAR(cable.faults[0].rate, 0.057, 0.02);
  EXPECT_GT(cable.log_likelihood, 0);
  EXPECT_NEAR(cable.score, cable.log_likelihood + cable.faults[0].log_odds, 1e-9);
  EXPECT_GT(cable.score, none.score);
  for (auto rival : {std::vector<std::string>{"esxi2/x520"},
                     {"esxi2"},
                     {"dac-esxi2-allied", "dac-esxi1-allied"}}) {
    EXPECT_GT(cable.score, FitFaultSet(t, paths, o, IdsOf(t, rival)).score) << rival[0];
  }
}

TEST(FitFaultSet, MembersOfOneGroupCountOnceAndEachFaultGetsItsOwnRate) {
  auto t = Topology::Build(model::HomeLab(4));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  // Two cables on one network: the path between their hosts crosses both, so the first one's
  // rate, fitted alone, takes some of the second's loss until the rates are refitted together.
  auto paths = PathsOf(*t, FullMesh(*t, {{"dac-esxi2-svc", 0.08}, {"dac-esxi1-svc", 0.03}}, 2000));
  LocalizeOptions o;
  auto two = FitFaultSet(*t, paths, o, IdsOf(*t, {"dac-esxi1-svc", "dac-esxi2-svc"}));
  ASSERT_EQ(two.faults.size(), 2u);
  EXPECT_NEAR(two.faults[0].rate, 0.03, 0.002);
  EXPECT_NEAR(two.faults[1].rate, 0.08, 0.002);
  auto same =
      FitFaultSet(*t, paths, o, IdsOf(*t, {"dac-esxi1-svc", "esxi2:vmnic2", "dac-esxi2-svc"}));
  EXPECT_EQ(same.faults.size(), 2u) << "a cable and its port are one group";
  EXPECT_NEAR(same.score, two.score, 1e-9);
  // The truth explains the loss better than half of it.
  EXPECT_GT(two.log_likelihood,
            FitFaultSet(*t, paths, o, IdsOf(*t, {"dac-esxi2-svc"})).log_likelihood);
}

TEST(FitFaultSet, FoldedPathsScoreAsUnfoldedOnesGivenTheirRepresentatives) {
  Topology t = Seed();
  auto obs = model::LoadObservations(
      std::string(KW_SOURCE_DIR) + "/examples/seed-incident/observations.jsonl", t, {});
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  std::vector<model::Flow> flows;
  for (const Observation& o : obs->observations) flows.push_back({o.src, o.dst, o.network});
  model::PathFinder f(t);
  auto folded = f.FindFolded(flows, nullptr);
  ASSERT_TRUE(folded.ok()) << folded.status().ToString();
  ObservedPaths folded_paths;
  for (uint32_t i = 0; i < obs->observations.size(); ++i) {
    folded_paths.Add(folded->paths[i],
                     {obs->observations[i].sent, obs->observations[i].lost, i});
  }
  auto unfolded_paths = PathsOf(t, obs->observations);
  // A member folded into another: without the representatives it has no incidences of its own.
  auto member = IdsOf(t, {"allied:2"});
  ASSERT_EQ(member.size(), 1u);
  ASSERT_NE(folded->representative[member[0]], member[0]) << "the cable represents its ports";
  LocalizeOptions o;
  auto unfolded_fit = FitFaultSet(t, unfolded_paths, o, member);
  auto folded_fit = FitFaultSet(t, folded_paths, o, member, &folded->representative);
  ASSERT_EQ(folded_fit.faults.size(), 1u);
  ASSERT_EQ(unfolded_fit.faults.size(), 1u);
  auto sorted = [&](std::vector<model::ComponentId> g) {
    auto ids = Ids(t, g);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  EXPECT_EQ(sorted(folded_fit.faults[0].group), sorted(unfolded_fit.faults[0].group));
  EXPECT_NEAR(folded_fit.score, unfolded_fit.score, 1e-6);
  EXPECT_NEAR(folded_fit.faults[0].rate, unfolded_fit.faults[0].rate, 1e-9);
}

}  // namespace
}  // namespace kiriwake::infer

namespace kiriwake::infer {
namespace {

// Greedy and the exchange search break exact ties by class number. Localize folds the paths it
// computes (each fold group carried by its lowest id) and LocalizePaths takes the simulator's
// traced routes one by one; both must number classes alike, or a borderline lab's verdict would
// depend on how its paths were given.
TEST(LocalizeEquivalence, FoldedPathsAndTracedRoutesGiveTheSameVerdict) {
  std::mt19937_64 rng(7);
  for (int lab = 0; lab < 200; ++lab) {
    int hosts = 3 + static_cast<int>(rng() % 6);
    auto t = Topology::Build(model::HomeLab(hosts));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    SimOptions so;
    so.faults = 1 + static_cast<int>(rng() % 3);
    so.kinds = {model::ComponentKind::kCable,      model::ComponentKind::kHostPort,
                model::ComponentKind::kSwitchPort, model::ComponentKind::kCard,
                model::ComponentKind::kDriver,     model::ComponentKind::kSwitch};
    so.probes_per_pair = 200;
    so.draw_by_prior = lab % 2 == 0;
    so.keep_routes = true;
    so.seed = rng();
    auto sc = Simulate(*t, so);
    ASSERT_TRUE(sc.ok()) << sc.status().ToString();
    LocalizeOptions o;
    o.max_next_tests = 0;
    auto folded = Localize(*t, sc->observations, o);
    ASSERT_TRUE(folded.ok()) << folded.status().ToString();
    LocalizeResult traced = LocalizePaths(*t, KnownRoutePaths(*sc), o);
    ASSERT_EQ(folded->suspects.size(), traced.suspects.size()) << "seed " << so.seed;
    for (size_t i = 0; i < traced.suspects.size(); ++i) {
      EXPECT_EQ(Ids(*t, folded->suspects[i].components), Ids(*t, traced.suspects[i].components))
          << "seed " << so.seed;
      EXPECT_NEAR(folded->suspects[i].probability, traced.suspects[i].probability, 1e-9)
          << "seed " << so.seed;
    }
  }
}

}  // namespace
}  // namespace kiriwake::infer
