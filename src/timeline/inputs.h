// timeline/inputs.h: turns the command line's FILES|DIRS and --tz options into FileSources ready
// to merge: directories expand to their files (sorted, not recursive into hidden entries), hints
// files are read instead of merged, each file gets its zone with the reason for it, and syslog
// files without a year get one inferred from the other files' dates (else the file's mtime year).
//
// A hints file (first line "# kiriwake timeline hints") states what logs cannot:
//   tz PATTERN ZONE        zone for files whose name matches PATTERN (a glob; "*" for all)
//   host PATTERN HOST      the host a file's lines come from
//   map KEY ID...          what an address / osd.N / host name is in the topology
//                          ("map 192.168.100.114 vm:ceph4 host:esxi2 net:service")
// Zone precedence: --tz FILE=ZONE, then --tz ZONE, then hints (a file's own pattern before "*"),
// then the machine's zone. The lead's topology model can replace the `map` lines via extra_map.
// Owns the zones and map the sources point to: keep it alive while they are read.
#ifndef KIRIWAKE_TIMELINE_INPUTS_H_
#define KIRIWAKE_TIMELINE_INPUTS_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "timeline/component_map.h"
#include "timeline/file_source.h"
#include "timeline/zone.h"

namespace kiriwake::timeline {

struct InputRequest {
  std::vector<std::string> paths;  // files or directories; "-" is stdin
  std::optional<std::string> tz;   // --tz ZONE
  std::vector<std::pair<std::string, std::string>> tz_per_file;  // --tz FILE=ZONE
  size_t reorder_window = 256;
  bool keep_raw = true;  // FileSourceOptions::keep_raw
  bool keep_subjects = true;                // FileSourceOptions::keep_subjects
  const ComponentMap* extra_map = nullptr;  // consulted before the hints' map lines
};

struct Inputs {
  std::vector<std::unique_ptr<FileSource>> sources;
  std::vector<Status> errors;          // files that could not be opened or read (exit 2)
  std::vector<Diagnostic> warnings;    // hints-file problems
  std::vector<std::string> hints_files;
  std::unique_ptr<StaticComponentMap> hints_map = std::make_unique<StaticComponentMap>();
  std::unique_ptr<ComponentMap> chained_map;  // topology before hints, when both are given
  std::vector<std::unique_ptr<Zone>> zones;  // owned; sources point here
  const Zone* display_zone = nullptr;  // --tz ZONE, else the hints' "*" zone, else nullptr (UTC)
};

// Usage errors (a bad --tz) are returned; per-file errors are collected in Inputs::errors.
Result<std::unique_ptr<Inputs>> OpenInputs(const InputRequest& req);

// Chains two maps: `first` (the topology) before `second` (hints).
class ChainedComponentMap final : public ComponentMap {
 public:
  ChainedComponentMap(const ComponentMap* first, const ComponentMap* second)
      : first_(first), second_(second) {}
  std::vector<std::string> Resolve(std::string_view key) const override;

 private:
  const ComponentMap* first_;
  const ComponentMap* second_;
};

}  // namespace kiriwake::timeline

#endif  // KIRIWAKE_TIMELINE_INPUTS_H_
