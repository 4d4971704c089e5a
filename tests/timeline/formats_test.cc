// One test per reader: a valid line, what it carries, and a malformed line reported with file:line.
#include <random>

#include <gtest/gtest.h>

#include "test_util.h"
#include "timeline/line_format.h"

namespace kiriwake::timeline {
namespace {

const Zone& Tokyo() {
  static const Zone z = *Zone::Load("Asia/Tokyo");
  return z;
}

TEST(SyslogRfc3164, YearIsInferredAndMarkedUncertain) {
  auto s = SourceOf(
      "Mar 15 01:41:07 k8s1 kernel: [91872.113201] libceph: osd3 192.168.100.114:6802 socket "
      "closed (con state OPEN)\n"
      "Mar 15 02:10:14 k8s1 sudo:    admin : TTY=pts/0 ; PWD=/home/admin ; USER=root ; "
      "COMMAND=/sbin/swapoff -a\n",
      "k8s1-syslog", &Tokyo());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind(), SourceKind::kSyslog);
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(Utc(ev[0]), "2020-03-14T16:41:07.000Z");
  EXPECT_TRUE(ev[0].time_uncertain);
  EXPECT_EQ(ev[0].host, "k8s1");
  EXPECT_EQ(ev[0].tag, "libceph_timeout");
  EXPECT_EQ(ev[0].layer, Layer::kStorage);
  EXPECT_EQ(ev[0].message,
            "kernel: libceph: osd3 192.168.100.114:6802 socket closed (con state OPEN)");
  EXPECT_EQ(ev[0].subjects, (std::vector<std::string>{"osd.3", "192.168.100.114"}));
  EXPECT_EQ(ev[1].tag, "swap_off");
  EXPECT_TRUE(ev[1].operator_action);
}

TEST(SyslogRfc3164, DecemberToJanuaryStepsTheYear) {
  auto s = SourceOf("Dec 31 23:59:59 h a: x\nJan  1 00:00:01 h a: y\n", "s", nullptr, 2019);
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(Utc(ev[0]), "2019-12-31T23:59:59.000Z");
  EXPECT_EQ(Utc(ev[1]), "2020-01-01T00:00:01.000Z");
}

TEST(SyslogRfc3164, ImpossibleDateIsAWarningWithFileAndLine) {
  auto s = SourceOf("Mar 15 01:00:00 h a: ok\nFeb 30 01:00:00 h a: bad\n", "sys.log");
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[1].tag, "raw");
  EXPECT_TRUE(ev[1].time_uncertain);
  EXPECT_EQ(ev[1].time, ev[0].time);  // inherited
  ASSERT_FALSE(s->warnings().empty());
  EXPECT_EQ(s->warnings()[0].loc.file, "sys.log");
  EXPECT_EQ(s->warnings()[0].loc.line, 2);
  EXPECT_EQ(s->malformed_lines(), 1u);
}

TEST(FileSource, ALastLineCutMidLineIsAWarningWithFileAndLine) {
  // The seed incident's k8s1-syslog cut by head -c 150: "socket clo" no longer reads as a
  // warning, so the cut must be said.
  auto s = SourceOf(
      "Mar 15 01:36:12 k8s1 systemd[1]: Started Session 412 of user admin.\n"
      "Mar 15 01:41:07 k8s1 kernel: [91872.113201] libceph: osd3 192.168.100.114:6802 socket clo",
      "s");
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 2u);
  ASSERT_EQ(s->warnings().size(), 1u);
  EXPECT_EQ(s->warnings()[0].loc.file, "s");
  EXPECT_EQ(s->warnings()[0].loc.line, 2);
  EXPECT_NE(s->warnings()[0].message.find("no line end"), std::string::npos)
      << s->warnings()[0].message;
  // A file ending in '\n' has nothing to say.
  auto whole =
      SourceOf("Mar 15 01:36:12 k8s1 systemd[1]: Started Session 412 of user admin.\n", "s");
  Drain(*whole);
  EXPECT_TRUE(whole->warnings().empty());
}

TEST(SyslogRfc5424, OffsetAndPriorityAreRead) {
  auto s = SourceOf(
      "<28>1 2020-03-15T10:59:32.003+09:00 ceph1 ceph-osd 1234 - - heartbeat_check: no reply from "
      "192.168.100.114:6806 osd.3\n",
      "r.log");
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(s->kind(), SourceKind::kSyslog5424);
  EXPECT_EQ(Utc(ev[0]), "2020-03-15T01:59:32.003Z");
  EXPECT_EQ(ev[0].severity, Severity::kWarning);  // PRI 28 = daemon.warning
  EXPECT_EQ(ev[0].host, "ceph1");
  EXPECT_EQ(ev[0].tag, "ceph_heartbeat_miss");
}

TEST(JournalJson, RealtimeMicrosecondsAndKernelTransport) {
  auto s = SourceOf(
      R"({"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1584237519035123","_HOSTNAME":"k8s2","_TRANSPORT":"kernel","PRIORITY":"3","MESSAGE":"INFO: task chown:30871 blocked for more than 120 seconds."})"
      "\n"
      R"({"__REALTIME_TIMESTAMP":"1584237520000000","MESSAGE":[104,105]})"
      "\n"
      R"({"__REALTIME_TIMESTAMP": broken})"
      "\n",
      "j.json");
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(s->kind(), SourceKind::kJournalJson);
  EXPECT_EQ(Utc(ev[0]), "2020-03-15T01:58:39.035123Z");
  EXPECT_EQ(ev[0].host, "k8s2");
  EXPECT_EQ(ev[0].tag, "hung_task");
  EXPECT_EQ(ev[0].severity, Severity::kError);
  EXPECT_EQ(ev[1].message, "hi");
  ASSERT_EQ(s->warnings().size(), 1u);
  EXPECT_EQ(s->warnings()[0].loc.line, 3);
}

TEST(JournalShortIso, OffsetIsApplied) {
  auto s = SourceOf(
      "2020-03-15T02:10:14+0900 k8s1 sudo[3321]:    admin : COMMAND=/sbin/swapoff -a\n", "j.txt");
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(s->kind(), SourceKind::kJournalShortIso);
  EXPECT_EQ(Utc(ev[0]), "2020-03-14T17:10:14.000Z");
  EXPECT_EQ(ev[0].tag, "swap_off");
}

TEST(Dmesg, HumanTimesAreLocal) {
  auto s = SourceOf(
      "[Sun Mar 15 01:44:51 2020] libceph: mon0 192.168.100.111:6789 session lost, hunting for new "
      "mon\n",
      "dmesg.txt", &Tokyo());
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(s->kind(), SourceKind::kDmesg);
  EXPECT_EQ(Utc(ev[0]), "2020-03-14T16:44:51.000Z");
  EXPECT_EQ(ev[0].tag, "libceph_timeout");
}

TEST(Esxi, VmkernelVobdHostdAndTheUpgradeBanner) {
  auto s = SourceOf(
      "2020-03-14T00:12:40.101Z cpu0:2097152)Version: VMware ESXi 6.5.0 build-13932383\n"
      "2020-03-14T15:44:03.219Z cpu0:2097152)Version: VMware ESXi 6.7.0 build-15160138\n"
      "2020-03-14T16:15:49.001Z cpu5:2097675)ALERT: @BlueScreen: MCE Uncorrectable Error: PANIC\n"
      "2020-03-14T16:20:00.000Z: [netCorrelator] 12345us: [vob.net.vmnic.linkstate.down] vmnic "
      "vmnic2 linkstate down\n"
      "2020-03-14T17:03:04.881Z error fdm[2101187] [Originator@6876 sub=Cluster] Failed to contact "
      "master\n",
      "esxi2-vmkernel.log", nullptr, 2020, "esxi2");
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 5u);
  EXPECT_EQ(s->kind(), SourceKind::kEsxi);
  EXPECT_EQ(ev[0].tag, "");
  EXPECT_EQ(ev[1].tag, "esxi_upgrade");
  EXPECT_NE(ev[1].message.find("was 6.5.0"), std::string::npos);
  EXPECT_EQ(ev[2].tag, "panic");
  EXPECT_EQ(ev[2].severity, Severity::kCritical);
  EXPECT_EQ(ev[3].tag, "nic_link_down");
  EXPECT_EQ(ev[3].subjects, (std::vector<std::string>{"vmnic2"}));
  EXPECT_EQ(ev[4].tag, "ha_agent_error");
  EXPECT_EQ(ev[4].host, "esxi2");
}

TEST(IpmiSel, UncorrectableEccIsADimmFailure) {
  auto s = SourceOf(
      "   1 | 03/15/2020 | 00:40:10 | Memory #0x01 | Uncorrectable ECC | Asserted\n"
      "   2 | Pre-Init   | 0000000012 | System Event #0x83 | Timestamp Clock Sync | Asserted\n"
      "   3 | 13/45/2020 | 00:40:10 | Memory #0x01 | Correctable ECC | Asserted\n",
      "sel.txt", &Tokyo());
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(s->kind(), SourceKind::kIpmiSel);
  EXPECT_EQ(Utc(ev[0]), "2020-03-14T15:40:10.000Z");
  EXPECT_EQ(ev[0].tag, "dimm_failure");
  EXPECT_EQ(ev[0].layer, Layer::kHardware);
  EXPECT_TRUE(ev[1].time_uncertain);
  ASSERT_EQ(s->warnings().size(), 1u);
  EXPECT_EQ(s->warnings()[0].loc.line, 3);
}

TEST(IloIml, RecordBecomesOneEventAtItsInitialUpdate) {
  auto s = SourceOf(
      "Severity: Critical\nClass: Main Memory\nInitial Update: 03/15/2020 00:40\nLast Update: "
      "03/15/2020 00:41\n"
      "Count: 2\nDescription: Uncorrectable Memory Error detected (Processor 1, DIMM 3). The "
      "memory module has been mapped out.\n"
      "\nSeverity: Caution\nInitial Update: tomorrow\nDescription: broken\n",
      "esxi2-ilo-iml.txt", &Tokyo());
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(s->kind(), SourceKind::kIloIml);
  EXPECT_EQ(Utc(ev[0]), "2020-03-14T15:40:00.000Z");
  EXPECT_EQ(ev[0].tag, "dimm_failure");
  EXPECT_EQ(ev[0].severity, Severity::kCritical);
  EXPECT_NE(ev[0].message.find("count 2"), std::string::npos);
  ASSERT_EQ(s->warnings().size(), 1u);
  EXPECT_EQ(s->warnings()[0].loc.line, 10);
}

TEST(KubeEvents, RepeatedEventSpansFirstToLast) {
  auto s = SourceOf(R"({
  "apiVersion": "v1",
  "items": [
    {"count": 52, "firstTimestamp": "2020-03-14T17:09:55Z", "lastTimestamp": "2020-03-14T21:25:41Z",
     "involvedObject": {"kind": "Pod", "name": "web-1", "namespace": "mastodon"},
     "message": "Readiness probe failed", "reason": "Unhealthy", "source": {"host": "k8s1"}, "type": "Warning"},
    {"count": 1, "firstTimestamp": "2020-03-14T16:58:10Z", "lastTimestamp": "2020-03-14T16:58:10Z",
     "involvedObject": {"kind": "Pod", "name": "postgresql-0", "namespace": "mastodon"},
     "message": "Successfully assigned", "reason": "Scheduled", "type": "Normal"}
  ],
  "kind": "List"
})",
                    "events.json");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind(), SourceKind::kKubeEvents);
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].tag, "k8s_Scheduled");
  EXPECT_EQ(Utc(ev[1]), "2020-03-14T17:09:55.000Z");
  EXPECT_EQ(Utc(ev[2]), "2020-03-14T21:25:41.000Z");
  EXPECT_EQ(ev[2].severity, Severity::kWarning);
  EXPECT_EQ(ev[2].host, "k8s1");
}

TEST(KubeEvents, BrokenJsonIsMalformedWithLineAndColumn) {
  auto r = FileSource::FromReader(
      ingest::LineReader::FromString("{\n  \"items\": [\n    {,\n", "ev.json"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kMalformed);
  EXPECT_EQ(r.status().loc().line, 3);
}

TEST(KubeEvents, ItemThatIsNotAnEventIsAWarningNamingItAndTheRestAreKept) {
  auto s = SourceOf(R"({"apiVersion": "v1", "items": [{"reason": "Scheduled", "firstTimestamp": )"
                    R"("2020-03-14T16:58:10Z"}, "Started", {"reason": "Pulled", )"
                    R"("firstTimestamp": "2020-03-14T16:58:20Z"}]})",
                    "ev.json");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->kind(), SourceKind::kKubeEvents);
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].tag, "k8s_Scheduled");
  EXPECT_EQ(ev[1].tag, "k8s_Pulled");
  ASSERT_EQ(s->warnings().size(), 1u);
  EXPECT_EQ(s->warnings()[0].loc.file, "ev.json");
  EXPECT_NE(s->warnings()[0].message.find("item 2: expected an Event object, saw string"),
            std::string::npos)
      << s->warnings()[0].message;
}

TEST(KubeEvents, ItemWarningsNameTheItemsLineAndColumn) {
  // Item 2 (line 3, column 5) is not an object; item 3 (line 4, column 5) has a bad time.
  auto s = SourceOf(
      "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n"
      "    {\"reason\": \"Scheduled\", \"firstTimestamp\": \"2020-03-14T16:58:10Z\"},\n"
      "    \"Started\",\n"
      "    {\"reason\": \"Pulled\", \"firstTimestamp\": \"2020-13-99T99:58:10Z\"}\n"
      "]}\n",
      "ev.json");
  ASSERT_NE(s, nullptr);
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 1u);
  ASSERT_EQ(s->warnings().size(), 3u);
  for (const auto& w : s->warnings()) EXPECT_EQ(w.loc.file, "ev.json");
  EXPECT_EQ(s->warnings()[0].loc.line, 3);
  EXPECT_EQ(s->warnings()[0].loc.column, 5);
  EXPECT_EQ(s->warnings()[1].loc.line, 4);
  EXPECT_EQ(s->warnings()[1].loc.column, 5);
  EXPECT_EQ(s->warnings()[2].loc.line, 4);
  EXPECT_EQ(s->warnings()[2].loc.ToString(), "ev.json:4:5");
  // A bare array of items, and strings holding brackets, braces and escaped quotes.
  auto a = SourceOf(
      "[\n"
      "  {\"reason\": \"A\", \"message\": \"x]}\\\"{[\", \"firstTimestamp\": "
      "\"2020-03-14T16:58:10Z\"},\n"
      "  7\n"
      "]\n",
      "arr.json");
  ASSERT_NE(a, nullptr);
  Drain(*a);
  ASSERT_EQ(a->warnings().size(), 1u);
  EXPECT_EQ(a->warnings()[0].loc.ToString(), "arr.json:3:3");
}

TEST(KubeEvents, AnInvalidTimestampIsAWarningAndNeverPlacesTheEventAt1970) {
  auto s = SourceOf(R"({"apiVersion": "v1", "items": [
    {"reason": "Scheduled", "firstTimestamp": "2020-13-99T99:58:10Z"},
    {"reason": "Pulled", "firstTimestamp": "2020-13-99T99:58:10Z",
     "lastTimestamp": "2020-03-14T16:58:20Z"},
    {"reason": "Started", "firstTimestamp": "2020-03-14T16:58:30Z"}]})",
                    "ev.json");
  ASSERT_NE(s, nullptr);
  auto ev = Drain(*s);
  // Item 1 has no readable time: left out, said. Item 2 falls back to its lastTimestamp.
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].tag, "k8s_Pulled");
  EXPECT_EQ(Utc(ev[0]), "2020-03-14T16:58:20.000Z");
  EXPECT_TRUE(ev[0].time_uncertain);
  EXPECT_EQ(ev[1].tag, "k8s_Started");
  for (const auto& e : ev) EXPECT_GT(e.time, TimePoint{}) << e.message;
  std::vector<std::string> msgs;
  for (const auto& w : s->warnings()) msgs.push_back(w.message);
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_EQ(msgs[0], "item 1: firstTimestamp \"2020-13-99T99:58:10Z\" is not an RFC 3339 time");
  EXPECT_NE(msgs[1].find("item 1: no readable"), std::string::npos) << msgs[1];
  EXPECT_NE(msgs[1].find("left out"), std::string::npos) << msgs[1];
  EXPECT_EQ(msgs[2], "item 2: firstTimestamp \"2020-13-99T99:58:10Z\" is not an RFC 3339 time");
}

TEST(FileSource, AnEmptyInputIsAWarningNamingTheFile) {
  for (std::string text : {"", "\n  \n"}) {
    auto s = SourceOf(text, "empty.log");
    ASSERT_NE(s, nullptr);
    EXPECT_TRUE(Drain(*s).empty());
    EXPECT_TRUE(s->unrecognized().ok());
    ASSERT_EQ(s->warnings().size(), 1u);
    EXPECT_EQ(s->warnings()[0].loc.file, "empty.log");
    EXPECT_NE(s->warnings()[0].message.find("empty input"), std::string::npos);
  }
}

TEST(ContainerLog, NanosecondStampsAreCutToMicros) {
  auto s = SourceOf("2020-03-14T16:59:41.218004123Z + chown -R 1001:1001 /bitnami/postgresql\n",
                    "c.log");
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(s->kind(), SourceKind::kContainerLog);
  EXPECT_EQ(Utc(ev[0]), "2020-03-14T16:59:41.218004Z");
  EXPECT_EQ(ev[0].tag, "chown");
}

TEST(Postgres, ZoneAbbreviationIsHonouredAndContinuationKept) {
  auto s = SourceOf(
      "2020-03-15 06:30:12.345 JST [1] LOG:  database system is ready to accept connections\n"
      "2020-03-15 06:41:03.771 JST [301] WARNING:  could not write block\n"
      "\tDETAIL:  Multiple failures\n"
      "2020-03-15 06:42:00.000 XYZ [301] ERROR:  odd zone\n",
      "pg.log", &Tokyo());
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 4u);
  EXPECT_EQ(s->kind(), SourceKind::kPostgres);
  EXPECT_EQ(Utc(ev[0]), "2020-03-14T21:30:12.345Z");
  EXPECT_EQ(ev[0].tag, "db_ready");
  EXPECT_EQ(ev[1].severity, Severity::kWarning);
  EXPECT_EQ(ev[2].tag, "raw");
  EXPECT_EQ(ev[2].time, ev[1].time);
  EXPECT_TRUE(ev[3].time_uncertain);  // unknown abbreviation: file zone, said so
  EXPECT_EQ(s->raw_lines(), 0u);      // the DETAIL continuation is not counted as unknown
}

TEST(Ping, SilentGapsBecomeLostProbesWithInterpolatedTimes) {
  auto s = SourceOf(
      "PING 192.168.100.114 (192.168.100.114) 56(84) bytes of data.\n"
      "[1584237900.000000] 64 bytes from 192.168.100.114: icmp_seq=4 ttl=64 time=2.84 ms\n"
      "[1584237903.000000] 64 bytes from 192.168.100.114: icmp_seq=7 ttl=64 time=5.20 ms\n"
      "[1584237904.000000] no answer yet for icmp_seq=8\n"
      "[1584237905.000000] 64 bytes from 192.168.100.114: icmp_seq=x ttl=64 time=5.20 ms\n",
      "ping.txt");
  auto ev = Drain(*s);
  EXPECT_EQ(s->kind(), SourceKind::kPing);
  ASSERT_EQ(ev.size(), 6u);
  EXPECT_EQ(ev[0].tag, "probe_reply");
  EXPECT_EQ(ev[1].tag, "probe_lost");
  EXPECT_EQ(Utc(ev[1]), "2020-03-15T02:05:01.000Z");
  EXPECT_TRUE(ev[1].time_uncertain);
  EXPECT_EQ(ev[2].tag, "probe_lost");
  EXPECT_EQ(ev[3].tag, "probe_reply");
  EXPECT_EQ(ev[4].tag, "probe_lost");
  EXPECT_FALSE(ev[4].time_uncertain);
  EXPECT_EQ(ev[1].subjects, (std::vector<std::string>{"192.168.100.114"}));
  ASSERT_EQ(s->warnings().size(), 1u);
  EXPECT_EQ(s->warnings()[0].loc.line, 5);
}

TEST(Ping, AReplyWithoutAUsableTimeIsCountedNotInventedAsALoss) {
  // Each damaged stamp: the reply on line 3 exists, so icmp_seq=2 is not lost; the line is
  // warned about with its file:line and kept as a raw event.
  for (std::string stamp :
       {"", "[99999999999999999999.0] ", "[1e400] ", "[-1584237901.248000] ", "[1584237901.] "}) {
    SCOPED_TRACE(stamp);
    auto s = SourceOf(
        "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
        "[1584237900.248000] 64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.4 ms\n" +
            stamp + "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=0.4 ms\n" +
            "[1584237902.248000] 64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 "
            "time=0.4 ms\n",
        "n.log");
    ASSERT_NE(s, nullptr);
    auto ev = Drain(*s);
    EXPECT_EQ(s->kind(), SourceKind::kPing);
    ASSERT_EQ(ev.size(), 3u);
    for (const auto& e : ev) EXPECT_NE(e.tag, "probe_lost") << e.message;
    EXPECT_EQ(ev[1].loc.line, 3);
    EXPECT_TRUE(ev[1].time_uncertain);
    EXPECT_EQ(ev[1].time, ev[0].time);  // the previous reply's time, said uncertain
    ASSERT_EQ(s->warnings().size(), 1u);
    EXPECT_EQ(s->warnings()[0].loc.file, "n.log");
    EXPECT_EQ(s->warnings()[0].loc.line, 3);
    EXPECT_NE(s->warnings()[0].message.find("ping -D"), std::string::npos)
        << s->warnings()[0].message;
  }
}

TEST(Ping, ProbesMissingBeforeATimelessReplyAreStillLost) {
  auto s = SourceOf(
      "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
      "[1584237900.000000] 64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.4 ms\n"
      "64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=0.4 ms\n"
      "[1584237903.000000] 64 bytes from 10.0.0.2: icmp_seq=4 ttl=64 time=0.4 ms\n",
      "n.log");
  auto ev = Drain(*s);
  std::vector<std::string> lost;
  for (const auto& e : ev)
    if (e.tag == "probe_lost") lost.push_back(e.message);
  EXPECT_EQ(lost, (std::vector<std::string>{"no reply for icmp_seq=2 (gap in icmp_seq)"}));
  ASSERT_EQ(s->warnings().size(), 1u);
  EXPECT_EQ(s->warnings()[0].loc.line, 3);
}

TEST(Ping, Icmp16BitSeqWrapIsContinuousAndGapsAfterItAreStillFound) {
  // iputils prints icmp_seq as the 16-bit field: 65534, 65535, 0, 1, ... One probe lost across
  // the wrap (icmp_seq=0) and one after it (icmp_seq=3).
  auto s = SourceOf(
      "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
      "[1584237900.000000] 64 bytes from 10.0.0.2: icmp_seq=65534 ttl=64 time=0.4 ms\n"
      "[1584237901.000000] 64 bytes from 10.0.0.2: icmp_seq=65535 ttl=64 time=0.4 ms\n"
      "[1584237903.000000] 64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.4 ms\n"
      "[1584237904.000000] 64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=0.4 ms\n"
      "[1584237906.000000] 64 bytes from 10.0.0.2: icmp_seq=4 ttl=64 time=0.4 ms\n",
      "wrap.log");
  auto ev = Drain(*s);
  std::vector<std::string> lost;
  for (const auto& e : ev)
    if (e.tag == "probe_lost") lost.push_back(e.message + " @" + Utc(e));
  EXPECT_EQ(lost, (std::vector<std::string>{
                      "no reply for icmp_seq=0 (gap in icmp_seq) @2020-03-15T02:05:02.000Z",
                      "no reply for icmp_seq=3 (gap in icmp_seq) @2020-03-15T02:05:05.000Z"}));
  EXPECT_TRUE(s->warnings().empty());
}

TEST(Ping, ABackwardsJumpStartsANewRunWithoutInventingLosses) {
  // 500 -> 3: ping restarted (its PING header lost); 3, 4, 6 then go on, and only 5 is lost.
  // A reply a little late (7 after 8) moves nothing: 9 after it is no gap.
  auto s = SourceOf(
      "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
      "[1584237900.000000] 64 bytes from 10.0.0.2: icmp_seq=499 ttl=64 time=0.4 ms\n"
      "[1584237901.000000] 64 bytes from 10.0.0.2: icmp_seq=500 ttl=64 time=0.4 ms\n"
      "[1584237950.000000] 64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=0.4 ms\n"
      "[1584237951.000000] 64 bytes from 10.0.0.2: icmp_seq=4 ttl=64 time=0.4 ms\n"
      "[1584237953.000000] 64 bytes from 10.0.0.2: icmp_seq=6 ttl=64 time=0.4 ms\n"
      "[1584237955.000000] 64 bytes from 10.0.0.2: icmp_seq=8 ttl=64 time=0.4 ms\n"
      "[1584237955.500000] 64 bytes from 10.0.0.2: icmp_seq=7 ttl=64 time=0.4 ms\n"
      "[1584237956.000000] 64 bytes from 10.0.0.2: icmp_seq=9 ttl=64 time=0.4 ms\n",
      "restart.log");
  auto ev = Drain(*s);
  std::vector<std::string> lost;
  for (const auto& e : ev)
    if (e.tag == "probe_lost") lost.push_back(e.message);
  // 7 was reported lost before its late reply came: the timeline says what it saw when.
  EXPECT_EQ(lost, (std::vector<std::string>{"no reply for icmp_seq=5 (gap in icmp_seq)",
                                            "no reply for icmp_seq=7 (gap in icmp_seq)"}));
  // The restart itself is on the timeline, at the first reply of the new run, before it; the
  // late reply (7 after 8) is none.
  std::vector<std::string> restarts;
  for (size_t i = 0; i < ev.size(); ++i) {
    if (ev[i].tag != "probe_restart") continue;
    restarts.push_back(ev[i].message + " @" + Utc(ev[i]));
    ASSERT_LT(i + 1, ev.size());
    EXPECT_NE(ev[i + 1].message.find("icmp_seq=3 "), std::string::npos) << ev[i + 1].message;
    EXPECT_EQ(ev[i].subjects, (std::vector<std::string>{"10.0.0.2"}));
  }
  EXPECT_EQ(restarts, (std::vector<std::string>{
                          "icmp_seq went back from 500 to 3: a new run of ping (restarted, or "
                          "outputs joined without their PING header); the probes between are not "
                          "counted as lost @2020-03-15T02:05:50.000Z"}));
}

TEST(Fping, TimedOutIsALostProbe) {
  auto s = SourceOf(
      "[1584237572.12345] ceph4 : [0], 84 bytes, 0.530 ms (0.530 avg, 0% loss)\n"
      "[1584237573.12345] ceph4 : [1], timed out (0.530 avg, 50% loss)\n",
      "fping.txt");
  auto ev = Drain(*s);
  EXPECT_EQ(s->kind(), SourceKind::kFping);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].tag, "probe_reply");
  EXPECT_EQ(ev[1].tag, "probe_lost");
  EXPECT_EQ(ev[1].subjects, (std::vector<std::string>{"ceph4"}));
}

TEST(Ceph, NautilusDaemonAndClusterLogLines) {
  auto s = SourceOf(
      "2020-03-15 10:59:32.510 7fc405cf9700  0 log_channel(cluster) log [WRN] : Health check "
      "update: Long heartbeat ping times on back interface seen, longest is 4082.940 msec "
      "(OSD_SLOW_PING_TIME_BACK)\n"
      "2020-03-15 10:58:39.035 7fc4034f4700  1 mon.eins@0(leader).osd e1157 prepare_failure osd.3 "
      "192.168.100.114:6802/1928 from osd.1 192.168.100.112:6800/2325 is reporting failure:1\n"
      "2020-03-15 10:59:36.012123 mon.eins (mon.0) 123 : cluster [WRN] Health check update: 1 slow "
      "ops, oldest one blocked for 51 sec, mon.eins has slow ops (SLOW_OPS)\n"
      "\tlog_channel(cluster) log [WRN] : continued\n",
      "ceph.log", &Tokyo(), 2020, "ceph1", /*window=*/8);
  auto ev = Drain(*s);
  EXPECT_EQ(s->kind(), SourceKind::kCeph);
  ASSERT_EQ(ev.size(), 4u);
  // The reorder window put the 10:58:39 line first.
  EXPECT_EQ(ev[0].tag, "ceph_failure_report");
  EXPECT_EQ(Utc(ev[0]), "2020-03-15T01:58:39.035Z");
  EXPECT_EQ(ev[1].tag, "ceph_slow_ping");
  EXPECT_EQ(ev[1].severity, Severity::kWarning);
  EXPECT_NE(
      std::find(ev[1].subjects.begin(), ev[1].subjects.end(), "check:OSD_SLOW_PING_TIME_BACK"),
      ev[1].subjects.end());
  EXPECT_EQ(ev[1].message.substr(0, 19), "Health check update");
  EXPECT_EQ(ev[2].tag, "ceph_slow_ops");
  EXPECT_EQ(Utc(ev[2]), "2020-03-15T01:59:36.012123Z");
  EXPECT_EQ(ev[3].tag, "raw");
}

TEST(Subjects, FoundAtEveryPositionAndNotInsideLongerNumbers) {
  // Subjects at the very start and end of the text, next to each other, and the shapes that
  // are not one (a fifth number part, a four-digit part, a number glued to a letter).
  std::vector<std::string> out;
  ExtractSubjects("10.0.0.1", &out);
  EXPECT_EQ(out, (std::vector<std::string>{"10.0.0.1"}));
  out.clear();
  ExtractSubjects("osd3 x vmnic12 osd.4 192.168.1.2:6800 1.2.3.4.5 1000.1.1.1 a1.2.3.4 osd.4 v",
                  &out);
  EXPECT_EQ(out, (std::vector<std::string>{"osd.3", "vmnic12", "osd.4", "192.168.1.2", "1.2.3.4"}));
  out.clear();
  // Long enough that the scan runs in 16-byte blocks, with subjects across block edges.
  std::string text =
      std::string(13, 'x') + " 172.16.254.1" + std::string(30, ' ') + "xosd7 (osd.8)";
  ExtractSubjects(text, &out);
  EXPECT_EQ(out, (std::vector<std::string>{"172.16.254.1", "osd.8"}));
  for (size_t pad = 0; pad < 40; ++pad) {
    out.clear();
    ExtractSubjects(std::string(pad, '-') + "8.8.4.4", &out);
    EXPECT_EQ(out, (std::vector<std::string>{"8.8.4.4"})) << pad;
    out.clear();
    ExtractSubjects(std::string(pad, '.') + "osd9", &out);
    EXPECT_EQ(out, (std::vector<std::string>{"osd.9"})) << pad;
  }
}

TEST(Subjects, TextOnlyReadersCanSkipTheScan) {
  // keep_subjects = false (the text event list): the same events, without the subjects found by
  // scanning the message; those a format reads from its own fields stay.
  std::string text =
      "2020-03-15 10:59:36.012123 mon.eins (mon.0) 123 : cluster [WRN] Health check update: osd.3 "
      "192.168.100.114 (SLOW_OPS)\n";
  FileSourceOptions opt;
  opt.keep_subjects = false;
  auto r = FileSource::FromReader(ingest::LineReader::FromString(text, "ceph.log"), opt);
  ASSERT_TRUE(r.ok());
  auto without = Drain(**r);
  auto with = Drain(*SourceOf(text, "ceph.log"));
  ASSERT_EQ(without.size(), 1u);
  ASSERT_EQ(with.size(), 1u);
  EXPECT_EQ(without[0].message, with[0].message);
  EXPECT_EQ(without[0].tag, with[0].tag);
  EXPECT_EQ(without[0].subjects, (std::vector<std::string>{"check:SLOW_OPS", "mon.eins"}));
  EXPECT_EQ(with[0].subjects,
            (std::vector<std::string>{"check:SLOW_OPS", "mon.eins", "osd.3", "192.168.100.114"}));
}

TEST(Classify, EarliestRuleWinsWhereverItsWordIs) {
  // "chown" is the last rule and comes first in the text; "Link down" is an earlier rule.
  Event e;
  e.message = "chown done; vmnic2: Link down; then Link up";
  Classify(&e);
  EXPECT_EQ(e.tag, "nic_link_down");
  EXPECT_EQ(e.layer, Layer::kNetwork);
  EXPECT_EQ(e.severity, Severity::kWarning);
  Event f;
  f.message = "MCA:";  // a needle as the whole text
  Classify(&f);
  EXPECT_EQ(f.tag, "mce");
  Event g;
  g.message = "MCA";  // shorter than every needle
  Classify(&g);
  EXPECT_EQ(g.tag, "");
}

TEST(Detection, UnknownFileIsKeptRawAndFlagged) {
  auto r =
      FileSource::FromReader(ingest::LineReader::FromString("hello\nworld\n", "notes.txt"), {});
  ASSERT_TRUE(r.ok());
  auto& s = **r;
  EXPECT_EQ(s.kind(), SourceKind::kRaw);
  EXPECT_EQ(s.unrecognized().code(), StatusCode::kUnrecognized);
  auto ev = Drain(s);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].tag, "raw");
  EXPECT_TRUE(ev[0].time_uncertain);
}

TEST(Detection, GzipInputIsReadThroughTheLineReader) {
  // "Mar 15 01:00:00 h a: x\n" gzip-compressed (gzip -n).
  static const unsigned char kGz[] = {
      0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xf3, 0x4d, 0x2c, 0x52,
      0x30, 0x34, 0x55, 0x30, 0x30, 0xb4, 0x32, 0x30, 0x00, 0x22, 0x85, 0x0c, 0x85, 0x44,
      0x2b, 0x85, 0x0a, 0x2e, 0x00, 0x67, 0xe5, 0xa3, 0x14, 0x17, 0x00, 0x00, 0x00};
  auto s = SourceOf(std::string(reinterpret_cast<const char*>(kGz), sizeof kGz), "s.gz");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind(), SourceKind::kSyslog);
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].message, "a: x");
}

// A line over LineReader's cap is kept cut, and the cut is said with file and line.
TEST(Detection, OverlongLineIsKeptCutWithAWarning) {
  std::string text = "Mar 15 01:00:00 h a: first\nMar 15 01:00:01 h a: " +
                     std::string(ingest::LineReader::kMaxLineBytes + 100, 'x') +
                     "\nMar 15 01:00:02 h a: last\n";
  auto s = SourceOf(text, "big.log");
  ASSERT_TRUE(s);
  auto ev = Drain(*s);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[2].message, "a: last");
  bool warned = false;
  for (const Diagnostic& d : s->warnings()) {
    if (d.loc.line == 2 && d.message.find("kept cut") != std::string::npos) warned = true;
  }
  EXPECT_TRUE(warned);
}

TEST(Classify, VectorAndScalarKeywordScansAgree) {
  // Random text salted with whole keywords, their prefixes and near misses, at every offset
  // and length around the vector scan's 16-byte blocks and its tail.
  // clang-format off
  const std::vector<std::string> pieces = {
      "SLOW_OPS", "slow ops", "Link is Down", "Link is Up", "Link", "Lin", "chown", "chow",
      "MCE:", "MCE", "MCA:", "socket closed", "socket clos", "Uncorrectable ECC", "Uncorrect",
      "@BlueScreen", "PSOD", "HEALTH_OK", "OSD_SLOW_PING_TIME", "marked down", "vob.fdm",
      "esxupdate", "swapoff", "[Hardware Error]", "blocked for more than", "x", " ", "\xff",
      "linkstate.down", "osd.3", "192.168.100.114"};
  // clang-format on
  std::mt19937 rng(11);
  std::string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .:_[]@";
  int with_rule = 0;
  for (int n = 0; n < 200000; ++n) {
    std::string m;
    size_t len = rng() % 120;
    while (m.size() < len) {
      if (rng() % 5 == 0)
        m += pieces[rng() % pieces.size()];
      else
        m += alphabet[rng() % alphabet.size()];
    }
    int want = KeywordRuleIndexScalar(m);
    if (want >= 0) ++with_rule;
    ASSERT_EQ(KeywordRuleIndex(m), want) << "\"" << m << "\"";
  }
  EXPECT_GT(with_rule, 10000);  // the salt did reach the rules
  EXPECT_EQ(KeywordRuleIndex("abc"), -1);
  EXPECT_EQ(KeywordRuleIndex(""), -1);
  EXPECT_EQ(KeywordRuleIndex("0123456789abcdefgh chown"), KeywordRuleIndexScalar("chown"));
}

}  // namespace
}  // namespace kiriwake::timeline
