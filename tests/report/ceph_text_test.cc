// The human report of `kiriwake ceph`: names, addresses and messages from the cluster's logs
// and dumps are escaped for the terminal; JSON keeps them as they were.
#include <string>

#include <gtest/gtest.h>

#include "report/ceph_report.h"

namespace kiriwake::report {
namespace {

TEST(CephText, InputTextIsEscapedForTheTerminal) {
  infer::CephFinding f;
  f.problem = true;
  infer::CephEndpoint ep;
  ep.osd = 3;
  ep.host = "ceph\x1b]0;x\x07";
  ep.address = "10.0.0.3";
  ep.iface_reason = "longest ping\r";
  f.ranking.push_back(ep);
  infer::CephCheckSeen c;
  c.code = "OSD_SLOW_PING_TIME_BACK";
  c.last_summary = "Slow OSD heartbeats \x1b[2J on back";
  f.checks.push_back(c);
  infer::CephSlowOpsOwner o;
  o.daemon = "osd.3";
  o.reports = 1;
  o.example =
      "osd_op(client.1 \x9b"
      "2J)";  // raw 8-bit CSI: not UTF-8
  f.slow_ops.push_back(o);
  ingest::CephOsdInfo osd;
  osd.id = 3;
  osd.hostname = "ceph\x1b[31m";
  f.osds.push_back(osd);
  CephInputSummary in;
  in.file = "ceph\n.log";
  std::string out = RenderCephText(f, {in});
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find('\x9b'), std::string::npos) << out;
  EXPECT_EQ(out.find('\r'), std::string::npos) << out;
  EXPECT_NE(out.find("suspect  osd.3 on ceph\\x1b]0;x\\x07 (10.0.0.3)"), std::string::npos) << out;
  EXPECT_NE(out.find("interface: longest ping\\x0d\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Slow OSD heartbeats \\x1b[2J on back\n"), std::string::npos) << out;
  EXPECT_NE(out.find("oldest: osd_op(client.1 \\x9b2J)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("host ceph\\x1b[31m"), std::string::npos) << out;
  EXPECT_NE(out.find("  ceph\\x0a.log  "), std::string::npos) << out;
  // The summary line is shared with --json, which escapes by its own rules: raw there.
  EXPECT_NE(CephSuspectLine(ep).find("ceph\x1b]0;x\x07"), std::string::npos);
}

}  // namespace
}  // namespace kiriwake::report
