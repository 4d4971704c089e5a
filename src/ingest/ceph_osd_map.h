// ingest/ceph_osd_map.h: Ceph addresses and the JSON maps that tie OSD ids to hosts and to their
// front (public) and back (cluster) addresses: `ceph osd dump -f json`, `ceph osd tree -f json`,
// `ceph osd metadata -f json`.
// Address forms (src/msg/msg_types.cc operator<<): msgr v1 bare `ip:port/nonce` (pre-Nautilus),
// typed `v1:ip:port/nonce`, `v2:[fd00::1]:6800/1234`, an addrvec `[v2:...,v1:...]`, and the
// heartbeat_check sockaddr `ip:port` without nonce. Pure functions; results own their strings.
#ifndef KIRIWAKE_INGEST_CEPH_OSD_MAP_H_
#define KIRIWAKE_INGEST_CEPH_OSD_MAP_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ingest/ceph_event.h"
#include "util/result.h"

namespace kiriwake::ingest {

struct CephAddr {
  std::string type;  // "v1", "v2", "any" or "" (bare legacy / sockaddr)
  std::string ip;    // without brackets for IPv6
  int port = 0;
  long long nonce = -1;  // -1 when absent (sockaddr form)
};

// One address in any single form above. nullopt if `s` is not one.
std::optional<CephAddr> ParseCephAddr(std::string_view s);
// An addrvec `[a,b]` or a single address; empty if nothing parses.
std::vector<CephAddr> ParseCephAddrVec(std::string_view s);
// The IP of the first parsable address in `s`, or "".
std::string CephAddrIp(std::string_view s);

enum class CephJsonKind { kUnknown, kHealth, kOsdNetwork, kOsdDump, kOsdTree, kOsdMetadata };
std::string_view CephJsonKindName(CephJsonKind k);
// Recognises which `ceph ... -f json` document `doc` is, by its keys.
CephJsonKind DetectCephJson(const nlohmann::json& doc);

// Each reports OSD records to `sink` (and warnings for entries it cannot read). `file` names the
// input in locations. Unrecognized if `doc` is not of that kind.
Status ReadCephOsdDump(const nlohmann::json& doc, const std::string& file, CephSink* sink);
Status ReadCephOsdTree(const nlohmann::json& doc, const std::string& file, CephSink* sink);
Status ReadCephOsdMetadata(const nlohmann::json& doc, const std::string& file, CephSink* sink);

}  // namespace kiriwake::ingest

#endif  // KIRIWAKE_INGEST_CEPH_OSD_MAP_H_
