#include "timeline/component_map.h"

#include <algorithm>

namespace kiriwake::timeline {

void StaticComponentMap::Add(std::string key, std::vector<std::string> ids) {
  auto& v = map_[std::move(key)];
  for (auto& id : ids) {
    if (std::find(v.begin(), v.end(), id) == v.end()) v.push_back(std::move(id));
  }
}

std::vector<std::string> StaticComponentMap::Resolve(std::string_view key) const {
  auto it = map_.find(key);
  if (it == map_.end()) return {};
  return it->second;
}

}  // namespace kiriwake::timeline
