// timeline/component_map.h: maps what a log line names (an address, "osd.3", a host name) to the
// topology's component ids ("vm:ceph4", "host:esxi2", "net:service"). The timeline only needs
// this small interface; the lead feeds it from the topology model (src/model/topology*), and
// StaticComponentMap holds the pairs given in a timeline hints file. Lookups are const and safe
// from any thread once built.
#ifndef KIRIWAKE_TIMELINE_COMPONENT_MAP_H_
#define KIRIWAKE_TIMELINE_COMPONENT_MAP_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kiriwake::timeline {

class ComponentMap {
 public:
  virtual ~ComponentMap() = default;
  // Component ids for `key` (an IPv4 address, "osd.N", a host name); empty when unknown.
  // Ids are listed innermost first: the VM, then the host it runs on, then networks.
  virtual std::vector<std::string> Resolve(std::string_view key) const = 0;
};

class StaticComponentMap final : public ComponentMap {
 public:
  void Add(std::string key, std::vector<std::string> ids);
  std::vector<std::string> Resolve(std::string_view key) const override;
  bool empty() const { return map_.empty(); }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> map_;
};

}  // namespace kiriwake::timeline

#endif  // KIRIWAKE_TIMELINE_COMPONENT_MAP_H_
