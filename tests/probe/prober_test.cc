// Prober and responder against the simulated wire: every probe ends once, as answered, lost,
// errored; late replies, duplicates and reordering are told apart; one-way loss is split.
#include "probe/prober.h"

#include <algorithm>
#include <array>

#include <gtest/gtest.h>

#include "fake_network.h"
#include "probe/responder.h"

namespace kiriwake::probe {
namespace {

Endpoint Ep(const char* s) { return *ParseEndpoint(s, 0); }

struct Harness {
  FakeClock clock;
  FakeWire wire{&clock};
  FakeSocket prober_sock{&wire, Ep("10.77.32.1:40000")};
  FakeSocket responder_sock{&wire, Ep("10.77.32.2:8623")};
  std::vector<ProbeEvent> events;
  std::unique_ptr<Responder> responder;
  std::unique_ptr<Prober> prober;

  Harness(ProberOptions po, ResponderOptions ro = {}, int targets = 1) {
    wire.Attach(&prober_sock);
    wire.Attach(&responder_sock);
    responder = std::make_unique<Responder>(ro, &clock, &responder_sock);
    std::vector<ProbeTarget> t;
    for (int i = 0; i < targets; ++i) t.push_back({"peer", Ep("10.77.32.2:8623"), "lan"});
    if (po.seed == 0) po.seed = 42;
    prober = std::make_unique<Prober>(po, t, &clock, &prober_sock,
                                      [this](const ProbeEvent& e) { events.push_back(e); });
  }
  // Runs in 0.1 ms steps until the prober is done (bounded: 100,000 steps = 10 s).
  void Run() {
    for (int step = 0; step < 100'000 && !prober->Done(); ++step) {
      prober->Tick();
      wire.Deliver();
      responder->Poll();
      wire.Deliver();
      prober->Poll();
      clock.AdvanceNs(100'000);
    }
  }
  std::vector<uint64_t> Seqs(ProbeOutcome o) const {
    std::vector<uint64_t> s;
    for (const auto& e : events)
      if (e.outcome == o) s.push_back(e.seq);
    return s;
  }
};

ProberOptions Opts(uint64_t count) {
  ProberOptions o;
  o.count = count;
  o.interval_ns = 10'000'000;  // 10 ms
  o.timeout_ns = 50'000'000;   // 50 ms
  o.jitter_ratio = 0;
  o.stagger_start = false;
  return o;
}

bool IsSeq(const ProbePacket* p, uint64_t seq, PacketType type) {
  return p != nullptr && p->seq == seq && p->type == type;
}

TEST(ProberUdp, CleanLinkAnswersEveryProbeWithRoundTrip) {
  Harness h(Opts(10));
  h.Run();
  ASSERT_TRUE(h.prober->Done());
  const auto& c = h.prober->target_counters(0);
  EXPECT_EQ(c.sent, 10u);
  EXPECT_EQ(c.answered, 10u);
  EXPECT_EQ(c.lost, 0u);
  ASSERT_EQ(h.Seqs(ProbeOutcome::kAnswered).size(), 10u);
  for (const auto& e : h.events) {
    // 0.1 ms each way, observed at 0.1 ms steps: 0.2 .. 0.3 ms.
    EXPECT_GE(e.rtt_ms, 0.2);
    EXPECT_LE(e.rtt_ms, 0.31);
    EXPECT_TRUE(e.has_responder_count);
    EXPECT_EQ(e.responder_rx_count, e.seq);
  }
  EXPECT_EQ(h.responder->counters().replied, 10u);
}

TEST(ProberUdp, CleanRunIsDoneWhenTheLastReplyArrivesNotAtTheTimeout) {
  ProberOptions o = Opts(3);
  o.timeout_ns = 1'000'000'000;
  Harness h(o);
  int64_t start = h.clock.MonotonicNs();
  h.Run();
  ASSERT_TRUE(h.prober->Done());
  EXPECT_EQ(h.prober->in_flight(), 0u);
  EXPECT_LT(h.clock.MonotonicNs() - start, 25'000'000);  // 2 intervals + one round trip
}

TEST(ProberUdp, StoppedProberSendsNothingMoreButEndsItsProbesInFlight) {
  ProberOptions o = Opts(0);  // unbounded, as in the agent
  Harness h(o);
  h.wire.policy = [](const Endpoint&, const Endpoint&, const ProbePacket* p) {
    Fate f;
    f.drop = IsSeq(p, 2, PacketType::kRequest);
    return f;
  };
  for (int step = 0; step < 150; ++step) {  // 15 ms: probes 1 and 2 sent
    h.prober->Tick();
    h.wire.Deliver();
    h.responder->Poll();
    h.wire.Deliver();
    h.prober->Poll();
    h.clock.AdvanceNs(100'000);
  }
  h.prober->StopSending();
  EXPECT_FALSE(h.prober->Drained());  // seq 2 is still waiting for its timeout
  for (int step = 0; step < 1000 && !h.prober->Drained(); ++step) {
    h.prober->Tick();
    h.clock.AdvanceNs(100'000);
  }
  EXPECT_TRUE(h.prober->Drained());
  EXPECT_EQ(h.prober->target_counters(0).sent, 2u);
  EXPECT_EQ(h.Seqs(ProbeOutcome::kAnswered), (std::vector<uint64_t>{1}));
  EXPECT_EQ(h.Seqs(ProbeOutcome::kLost), (std::vector<uint64_t>{2}));
}

TEST(ProberUdp, DroppedRequestIsLostAfterTimeoutAndCountedForward) {
  Harness h(Opts(10));
  h.wire.policy = [](const Endpoint&, const Endpoint&, const ProbePacket* p) {
    Fate f;
    f.drop = IsSeq(p, 3, PacketType::kRequest) || IsSeq(p, 4, PacketType::kRequest);
    return f;
  };
  h.Run();
  EXPECT_EQ(h.Seqs(ProbeOutcome::kLost), (std::vector<uint64_t>{3, 4}));
  const auto& c = h.prober->target_counters(0);
  EXPECT_EQ(c.answered, 8u);
  EXPECT_EQ(c.ForwardLost(), 2u);
  EXPECT_EQ(c.ReverseLost(), 0u);
}

TEST(ProberUdp, DroppedReplyIsLostAndCountedReverse) {
  Harness h(Opts(10));
  h.wire.policy = [](const Endpoint&, const Endpoint&, const ProbePacket* p) {
    Fate f;
    f.drop = IsSeq(p, 5, PacketType::kReply);
    return f;
  };
  h.Run();
  EXPECT_EQ(h.Seqs(ProbeOutcome::kLost), (std::vector<uint64_t>{5}));
  const auto& c = h.prober->target_counters(0);
  EXPECT_EQ(c.ForwardLost(), 0u);
  EXPECT_EQ(c.ReverseLost(), 1u);
}

TEST(ProberUdp, LostProbeIsEndedByItsTimeoutNotBefore) {
  Harness h(Opts(1));
  h.wire.policy = [](const Endpoint&, const Endpoint&, const ProbePacket*) {
    Fate f;
    f.drop = true;
    return f;
  };
  int64_t start = h.clock.MonotonicNs();
  int64_t lost_at = 0;
  for (int step = 0; step < 2000 && !h.prober->Done(); ++step) {
    h.prober->Tick();
    if (lost_at == 0 && !h.Seqs(ProbeOutcome::kLost).empty()) lost_at = h.clock.MonotonicNs();
    h.clock.AdvanceNs(100'000);
  }
  ASSERT_NE(lost_at, 0);
  EXPECT_GE(lost_at - start, 50'000'000);
  EXPECT_LE(lost_at - start, 50'100'000);
}

TEST(ProberUdp, ReplyAfterTimeoutIsLateAndTheProbeStaysLost) {
  Harness h(Opts(5));
  h.wire.policy = [](const Endpoint&, const Endpoint&, const ProbePacket* p) {
    Fate f;
    if (IsSeq(p, 2, PacketType::kReply)) f.delay_ns = 70'000'000;  // timeout is 50 ms
    return f;
  };
  h.Run();
  EXPECT_EQ(h.Seqs(ProbeOutcome::kLost), (std::vector<uint64_t>{2}));
  // Done() may come before the late reply arrives; keep running a little.
  for (int i = 0; i < 1000; ++i) {
    h.wire.Deliver();
    h.responder->Poll();
    h.prober->Poll();
    h.clock.AdvanceNs(100'000);
  }
  EXPECT_EQ(h.Seqs(ProbeOutcome::kLate), (std::vector<uint64_t>{2}));
  const auto& c = h.prober->target_counters(0);
  EXPECT_EQ(c.lost, 1u);
  EXPECT_EQ(c.late, 1u);
  EXPECT_EQ(c.answered, 4u);
}

// Each target keeps a ring of slots (2 x timeout / interval + 4, at least 16) in one array shared
// by all targets: a reply is matched to its probe, and told late, while its slot is not yet
// reused; an older one is counted stale.
TEST(ProberUdp, LateReplyIsMatchedWithinTheRingAndStaleBeyondIt) {
  ProberOptions o = Opts(20);
  o.timeout_ns = 10'000'000;  // one interval: the ring is the minimum, 16 slots
  Harness h(o);
  h.wire.policy = [](const Endpoint&, const Endpoint&, const ProbePacket* p) {
    Fate f;
    if (IsSeq(p, 1, PacketType::kReply)) f.delay_ns = 155'000'000;  // before seq 17 reuses slot 1
    if (IsSeq(p, 2, PacketType::kReply)) f.delay_ns = 175'000'000;  // after seq 18 reused slot 2
    return f;
  };
  h.Run();
  for (int i = 0; i < 1500; ++i) {  // Done() may come before the last late reply
    h.wire.Deliver();
    h.responder->Poll();
    h.wire.Deliver();
    h.prober->Poll();
    h.clock.AdvanceNs(100'000);
  }
  EXPECT_EQ(h.Seqs(ProbeOutcome::kLost), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(h.Seqs(ProbeOutcome::kLate), (std::vector<uint64_t>{1}));
  EXPECT_EQ(h.prober->counters().stale, 1u);
  EXPECT_EQ(h.prober->target_counters(0).answered, 18u);
}

TEST(ProberUdp, DuplicateReplyIsReportedOnceAndNotCountedAsAnswer) {
  Harness h(Opts(6));
  h.wire.policy = [](const Endpoint&, const Endpoint&, const ProbePacket* p) {
    Fate f;
    if (IsSeq(p, 4, PacketType::kReply)) f.copies = 3;
    return f;
  };
  h.Run();
  EXPECT_EQ(h.Seqs(ProbeOutcome::kDuplicate), (std::vector<uint64_t>{4, 4}));
  EXPECT_EQ(h.prober->target_counters(0).answered, 6u);
  EXPECT_EQ(h.prober->target_counters(0).duplicates, 2u);
}

TEST(ProberUdp, ReplyOvertakenByALaterOneIsMarkedReordered) {
  Harness h(Opts(6));
  h.wire.policy = [](const Endpoint&, const Endpoint&, const ProbePacket* p) {
    Fate f;
    if (IsSeq(p, 3, PacketType::kReply)) f.delay_ns = 25'000'000;  // after seq 4's and 5's
    return f;
  };
  h.Run();
  ASSERT_EQ(h.prober->target_counters(0).answered, 6u);
  EXPECT_EQ(h.prober->target_counters(0).reordered, 1u);
  for (const auto& e : h.events) EXPECT_EQ(e.reordered, e.seq == 3) << e.seq;
}

TEST(ProberUdp, IcmpUnreachableEndsTheProbeAsErrored) {
  Harness h(Opts(4));
  h.wire.policy = [](const Endpoint&, const Endpoint&, const ProbePacket* p) {
    Fate f;
    if (IsSeq(p, 2, PacketType::kRequest)) f.icmp_errno = ECONNREFUSED;
    return f;
  };
  h.Run();
  ASSERT_EQ(h.Seqs(ProbeOutcome::kErrored), (std::vector<uint64_t>{2}));
  for (const auto& e : h.events) {
    if (e.outcome == ProbeOutcome::kErrored) {
      EXPECT_EQ(e.error_errno, ECONNREFUSED);
    }
  }
  EXPECT_EQ(h.prober->target_counters(0).lost, 0u);
  EXPECT_EQ(h.prober->target_counters(0).errored, 1u);
}

TEST(ProberUdp, RefusedSendIsErroredNotSilentlyDropped) {
  Harness h(Opts(3));
  h.prober_sock.fail_sends_with = ENETUNREACH;
  h.Run();
  EXPECT_EQ(h.Seqs(ProbeOutcome::kErrored), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(h.prober->counters().send_errors, 3u);
}

TEST(ProberUdp, RepliesFromAnotherAddressAreForeign) {
  Harness h(Opts(2));
  FakeSocket impostor(&h.wire, Ep("10.77.32.9:8623"));
  h.wire.Attach(&impostor);
  // The impostor replays the responder's replies from its own address.
  h.wire.policy = [&](const Endpoint& from, const Endpoint& to, const ProbePacket* p) {
    if (p && p->type == PacketType::kReply && from.SameAddress(Ep("10.77.32.2"))) {
      std::array<uint8_t, kHeaderSize> b{};
      EncodePacket(*p, ProbeKey{}, b);
      int err;
      OutDatagram d{to, b.data(), b.size(), {}};
      impostor.Send(std::span(&d, 1), &err);
    }
    return Fate{};
  };
  h.Run();
  EXPECT_EQ(h.prober->target_counters(0).answered, 2u);
  EXPECT_EQ(h.prober->target_counters(0).duplicates, 0u);
  EXPECT_EQ(h.prober->counters().foreign, 2u);
}

TEST(ProberUdp, OverallRateCapSpreadsSends) {
  ProberOptions o = Opts(10);
  o.interval_ns = 1'000'000;  // 10 targets × 1,000/s wanted
  o.max_rate_total_pps = 1000;
  Harness h(o, {}, 10);
  // In the first 50 ms at most 50 + the 10 ms burst (10) may leave.
  for (int step = 0; step < 500; ++step) {
    h.prober->Tick();
    h.clock.AdvanceNs(100'000);
  }
  size_t sent = h.prober_sock.sent_sizes.size();
  EXPECT_LE(sent, 61u);
  EXPECT_GE(sent, 45u);
  EXPECT_GT(h.prober->counters().rate_deferred, 0u);
}

TEST(ProberUdp, JitterKeepsGapsWithinTheRatio) {
  ProberOptions o = Opts(200);
  o.jitter_ratio = 0.1;
  Harness h(o);
  std::vector<int64_t> send_times;
  for (int step = 0; step < 30'000 && send_times.size() < 200; ++step) {
    size_t before = h.prober_sock.sent_sizes.size();
    h.prober->Tick();
    if (h.prober_sock.sent_sizes.size() > before) send_times.push_back(h.clock.MonotonicNs());
    h.clock.AdvanceNs(100'000);
  }
  ASSERT_EQ(send_times.size(), 200u);
  int64_t min_gap = INT64_MAX, max_gap = 0;
  for (size_t i = 1; i < send_times.size(); ++i) {
    min_gap = std::min(min_gap, send_times[i] - send_times[i - 1]);
    max_gap = std::max(max_gap, send_times[i] - send_times[i - 1]);
  }
  EXPECT_GE(min_gap, 8'900'000);
  EXPECT_LE(max_gap, 11'100'000);
  EXPECT_GT(max_gap - min_gap, 1'000'000);  // it does vary
}

TEST(ProberUdp, IntervalBelowThePerTargetCapIsAUsageError) {
  ProberOptions o = Opts(1);
  o.interval_ns = 100'000;  // 10,000/s against a 1,000/s cap
  EXPECT_EQ(Prober::Validate(o).code(), StatusCode::kUsage);
  o.interval_ns = 1'000'000;
  EXPECT_TRUE(Prober::Validate(o).ok());
}

TEST(ResponderHmac, UnkeyedProbesAreRejectedByAKeyedResponder) {
  ResponderOptions ro;
  ro.key = ProbeKey("s3cret");
  Harness h(Opts(3), ro);
  h.Run();
  EXPECT_EQ(h.prober->target_counters(0).lost, 3u);
  EXPECT_EQ(h.responder->counters().replied, 0u);
  EXPECT_EQ(h.responder->counters().malformed[static_cast<size_t>(DecodeError::kMissingMac)], 3u);
}

TEST(ResponderHmac, ProbesKeyedWithAnotherSecretAreRejected) {
  ResponderOptions ro;
  ro.key = ProbeKey("s3cret");
  ProberOptions po = Opts(3);
  po.key = ProbeKey("guess");
  Harness h(po, ro);
  h.Run();
  EXPECT_EQ(h.prober->target_counters(0).answered, 0u);
  EXPECT_EQ(h.responder->counters().malformed[static_cast<size_t>(DecodeError::kBadMac)], 3u);
}

TEST(ResponderHmac, SameKeyOnBothSidesIsAnswered) {
  ResponderOptions ro;
  ro.key = ProbeKey("s3cret");
  ProberOptions po = Opts(3);
  po.key = ProbeKey("s3cret");
  Harness h(po, ro);
  h.Run();
  EXPECT_EQ(h.prober->target_counters(0).answered, 3u);
}

TEST(ResponderRateLimit, ExcessFromOneSourceIsDroppedAndCounted) {
  FakeClock clock;
  FakeWire wire(&clock);
  FakeSocket rs(&wire, Ep("10.77.32.2:8623"));
  FakeSocket src(&wire, Ep("10.77.32.1:40000"));
  wire.Attach(&rs);
  wire.Attach(&src);
  ResponderOptions ro;
  ro.per_source_rate_pps = 10;
  ro.per_source_burst = 5;
  Responder r(ro, &clock, &rs);
  std::vector<InDatagram> batch(50);
  for (size_t i = 0; i < batch.size(); ++i) {
    ProbePacket p;
    p.seq = i + 1;
    p.sender_id = 7;
    batch[i].len = EncodePacket(p, ProbeKey{}, batch[i].data);
    batch[i].from = src.LocalAddress();
  }
  r.Handle(batch);
  EXPECT_EQ(r.counters().replied, 5u);
  EXPECT_EQ(r.counters().rate_limited, 45u);
  clock.AdvanceMs(1000);  // refills to the burst of 5
  r.Handle(std::span(batch).first(10));
  EXPECT_EQ(r.counters().replied, 10u);
}

TEST(ResponderSafety, ReplyIsNeverLargerThanTheRequest) {
  FakeClock clock;
  FakeWire wire(&clock);
  FakeSocket rs(&wire, Ep("10.77.32.2:8623"));
  FakeSocket src(&wire, Ep("10.77.32.1:40000"));
  wire.Attach(&rs);
  wire.Attach(&src);
  for (const char* secret : {"", "k"}) {
    ResponderOptions ro;
    ro.key = ProbeKey(secret);
    Responder r(ro, &clock, &rs);
    for (size_t size : {size_t{0}, size_t{60}, size_t{72}, size_t{200}, size_t{1472}}) {
      InDatagram d;
      ProbePacket p;
      p.sender_id = 1;
      p.seq = size + 1;
      d.len = EncodePacket(p, ro.key, d.data, size);
      d.from = src.LocalAddress();
      size_t before = rs.sent_sizes.size();
      r.Handle(std::span(&d, 1));
      ASSERT_EQ(rs.sent_sizes.size(), before + 1);
      EXPECT_LE(rs.sent_sizes.back(), d.len);
    }
    // A truncated request gets nothing back.
    InDatagram t;
    ProbePacket p;
    t.len = EncodePacket(p, ro.key, t.data) - 1;
    t.from = src.LocalAddress();
    size_t before = rs.sent_sizes.size();
    r.Handle(std::span(&t, 1));
    EXPECT_EQ(rs.sent_sizes.size(), before);
    EXPECT_EQ(r.counters().malformed[static_cast<size_t>(DecodeError::kTooShort)], 1u);
  }
}

TEST(ResponderSafety, RepliesAndForeignTrafficAreNeverAnswered) {
  FakeClock clock;
  FakeWire wire(&clock);
  FakeSocket rs(&wire, Ep("10.77.32.2:8623"));
  wire.Attach(&rs);
  Responder r({}, &clock, &rs);
  InDatagram reply, dns;
  ProbePacket p;
  p.type = PacketType::kReply;
  reply.len = EncodePacket(p, ProbeKey{}, reply.data);
  reply.from = Ep("10.77.32.1:40000");
  dns.len = 60;  // zeros: not our magic
  dns.from = reply.from;
  std::vector<InDatagram> in{reply, dns};
  r.Handle(in);
  EXPECT_TRUE(rs.sent_sizes.empty());
  EXPECT_EQ(r.counters().not_request, 1u);
  EXPECT_EQ(r.counters().malformed[static_cast<size_t>(DecodeError::kBadMagic)], 1u);
}

// A packet with every field set to a distinct value.
ProbePacket SamplePacket(PacketType type) {
  ProbePacket p;
  p.type = type;
  p.sender_id = 0x0102030405060708;
  p.seq = 99;
  p.t_send_ns = 1;
  p.t_rx_ns = 2;
  p.t_tx_ns = 3;
  p.rx_count = 4;
  return p;
}

TEST(ProbePacket, RoundTripsEveryField) {
  ProbePacket p = SamplePacket(PacketType::kReply);
  ProbeKey key{"k"};
  std::array<uint8_t, 128> b{};
  ASSERT_EQ(EncodePacket(p, key, b), kHeaderSize + kMacSize);
  ProbePacket q;
  DecodeError e;
  ASSERT_TRUE(DecodePacket(std::span<const uint8_t>(b.data(), kHeaderSize + kMacSize), key, &q, &e));
  EXPECT_EQ(q.sender_id, p.sender_id);
  EXPECT_EQ(q.seq, 99u);
  EXPECT_EQ(q.rx_count, 4u);
  EXPECT_TRUE(q.authenticated);
  b[20] ^= 1;  // flip a bit of seq: the MAC no longer matches
  EXPECT_FALSE(DecodePacket(std::span<const uint8_t>(b.data(), kHeaderSize + kMacSize), key, &q, &e));
  EXPECT_EQ(e, DecodeError::kBadMac);
}

// The MAC on the wire is HMAC-SHA256 (RFC 2104) of the 56-byte header, cut to 16 bytes: agents
// built with another crypto library must still verify each other. Expected bytes from Python's
// hmac module: hmac.new(b"kiriwake-test-key", header, hashlib.sha256).digest()[:16].
TEST(ProbePacket, MacIsTruncatedHmacSha256OfTheHeader) {
  ProbePacket p = SamplePacket(PacketType::kRequest);
  const std::array<uint8_t, kMacSize> expected = {0xb4, 0x24, 0xd0, 0x98, 0x23, 0xf5, 0x21, 0xff,
                                                  0xf2, 0x00, 0x86, 0x69, 0x27, 0x76, 0xa8, 0xa9};
  // The key's prepared HMAC state is shared by every packet (and every copy of the key): the
  // same bytes after it has MACed other packets, and from a copy.
  const ProbeKey key("kiriwake-test-key");
  for (int round = 0; round < 3; ++round) {
    std::array<uint8_t, 128> b{};
    ProbePacket other = SamplePacket(PacketType::kReply);
    other.seq = static_cast<uint64_t>(1000 + round);
    ASSERT_EQ(EncodePacket(other, key, b), kHeaderSize + kMacSize);
    ProbeKey copy = key;
    ASSERT_EQ(EncodePacket(p, round == 2 ? copy : key, b), kHeaderSize + kMacSize);
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), b.begin() + kHeaderSize))
        << "round " << round;
  }
}

}  // namespace
}  // namespace kiriwake::probe
