#include "timeline/inputs.h"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "util/text.h"

namespace kiriwake::timeline {

namespace fs = std::filesystem;

std::vector<std::string> ChainedComponentMap::Resolve(std::string_view key) const {
  std::vector<std::string> out;
  if (first_ != nullptr) out = first_->Resolve(key);
  if (out.empty() && second_ != nullptr) out = second_->Resolve(key);
  return out;
}

namespace {

constexpr std::string_view kHintsMagic = "# kiriwake timeline hints";

struct Hints {
  std::vector<std::pair<std::string, std::string>> tz;    // pattern, zone
  std::vector<std::pair<std::string, std::string>> host;  // pattern, host
};

bool IsHintsFile(const std::string& path) {
  std::ifstream f(path);
  std::string first;
  return f && std::getline(f, first) && std::string_view(first).starts_with(kHintsMagic);
}

bool Matches(const std::string& pattern, const std::string& path) {
  std::string base = fs::path(path).filename().string();
  return fnmatch(pattern.c_str(), base.c_str(), 0) == 0 || pattern == path;
}

void ReadHints(const std::string& path, Hints* hints, StaticComponentMap* map,
               std::vector<Diagnostic>* warnings) {
  std::ifstream f(path);
  std::string line;
  int64_t n = 0;
  while (std::getline(f, line)) {
    ++n;
    std::string_view v = text::Trim(line);
    if (v.empty() || v.starts_with("#")) continue;
    auto w = text::SplitWords(v);
    if (w[0] == "tz" && w.size() == 3) {
      hints->tz.emplace_back(std::string(w[1]), std::string(w[2]));
    } else if (w[0] == "host" && w.size() == 3) {
      hints->host.emplace_back(std::string(w[1]), std::string(w[2]));
    } else if (w[0] == "map" && w.size() >= 3) {
      std::vector<std::string> ids;
      for (size_t i = 2; i < w.size(); ++i) ids.emplace_back(w[i]);
      map->Add(std::string(w[1]), std::move(ids));
    } else {
      warnings->push_back(Diagnostic{SourceLoc{path, n, 0},
                                     fmt::format("expected \"tz PATTERN ZONE\", \"host PATTERN HOST\" "
                                                 "or \"map KEY ID...\", saw \"{}\"; ignored",
                                                 EscapeForMessage(v))});
    }
  }
}

int MtimeYear(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;
  return EpochSecondsToCivil(st.st_mtime).year;
}

}  // namespace

Result<std::unique_ptr<Inputs>> OpenInputs(const InputRequest& req) {
  auto in = std::make_unique<Inputs>();
  // Expand directories; hints files are set aside.
  std::vector<std::string> files;
  for (const auto& p : req.paths) {
    std::error_code ec;
    if (p != "-" && fs::is_directory(p, ec)) {
      std::vector<std::string> entries;
      for (auto it = fs::directory_iterator(p, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (name.starts_with(".")) continue;
        if (it->is_regular_file(ec)) entries.push_back(it->path().string());
      }
      if (ec) {
        in->errors.push_back(Status::FromErrno(p, ec.value()));
        continue;
      }
      std::sort(entries.begin(), entries.end());
      files.insert(files.end(), entries.begin(), entries.end());
    } else {
      files.push_back(p);
    }
  }
  Hints hints;
  std::vector<std::string> logs;
  for (const auto& f : files) {
    if (f != "-" && IsHintsFile(f)) {
      in->hints_files.push_back(f);
      ReadHints(f, &hints, in->hints_map.get(), &in->warnings);
    } else {
      logs.push_back(f);
    }
  }
  auto load = [&](const std::string& name) -> Result<const Zone*> {
    auto z = Zone::Load(name);
    if (!z.ok()) return z.status();
    in->zones.push_back(std::make_unique<Zone>(std::move(*z)));
    return in->zones.back().get();
  };
  const Zone* machine = nullptr;
  {
    auto z = load("local");
    if (z.ok()) machine = *z;
    else machine = in->zones.emplace_back(std::make_unique<Zone>(Zone::Fixed(0, "UTC"))).get();
  }
  const Zone* global = nullptr;
  if (req.tz) {
    KW_ASSIGN_OR_RETURN(global, load(*req.tz));
    in->display_zone = global;
  }
  std::map<std::string, const Zone*> per_file;
  for (const auto& [file, zone] : req.tz_per_file) {
    KW_ASSIGN_OR_RETURN(const Zone* z, load(zone));
    per_file[file] = z;
  }
  std::map<std::string, const Zone*> hint_zones;
  for (const auto& [pattern, zone] : hints.tz) {
    if (hint_zones.count(zone)) continue;
    auto z = load(zone);
    if (!z.ok()) {
      in->warnings.push_back(Diagnostic{SourceLoc{in->hints_files.empty() ? "" : in->hints_files.front(), 0, 0},
                                        z.status().message()});
      continue;
    }
    hint_zones[zone] = *z;
    if (pattern == "*" && in->display_zone == nullptr) in->display_zone = *z;
  }
  const ComponentMap* map = req.extra_map;
  if (!in->hints_map->empty()) {
    map = in->hints_map.get();
    if (req.extra_map != nullptr) {
      in->chained_map = std::make_unique<ChainedComponentMap>(req.extra_map, in->hints_map.get());
      map = in->chained_map.get();
    }
  }

  uint32_t index = 0;
  for (const auto& f : logs) {
    FileSourceOptions opt;
    opt.file_index = index++;
    opt.map = map;
    opt.reorder_window = req.reorder_window;
    opt.keep_raw = req.keep_raw;
    opt.keep_subjects = req.keep_subjects;
    std::string base = fs::path(f).filename().string();
    if (auto it = std::find_if(per_file.begin(), per_file.end(),
                               [&](const auto& kv) { return kv.first == f || kv.first == base; });
        it != per_file.end()) {
      opt.zone = it->second;
      opt.zone_origin = "--tz " + it->first + "=" + it->second->name();
    } else if (global != nullptr) {
      opt.zone = global;
      opt.zone_origin = "--tz";
    } else {
      const Zone* hz = nullptr;
      std::string origin;
      for (const auto& [pattern, zone] : hints.tz) {
        if (pattern != "*" && Matches(pattern, f) && hint_zones.count(zone)) {
          hz = hint_zones[zone];
          origin = "hints: tz " + pattern;
          break;
        }
      }
      if (hz == nullptr) {
        for (const auto& [pattern, zone] : hints.tz) {
          if (pattern == "*" && hint_zones.count(zone)) {
            hz = hint_zones[zone];
            origin = "hints: tz *";
            break;
          }
        }
      }
      opt.zone = hz != nullptr ? hz : machine;
      opt.zone_origin = hz != nullptr ? origin : "the machine's zone; give --tz if the log's differs";
    }
    for (const auto& [pattern, host] : hints.host) {
      if (Matches(pattern, f)) opt.host = host;
    }
    auto src = FileSource::Open(f, std::move(opt));
    if (!src.ok()) {
      in->errors.push_back(src.status());
      continue;
    }
    in->sources.push_back(std::move(*src));
  }

  // Year inference for RFC 3164 syslog: the most common first year among dated files.
  std::map<int, int> years;
  for (const auto& s : in->sources) {
    if (s->first_year()) ++years[*s->first_year()];
  }
  int best_year = 0, best_n = 0;
  for (const auto& [y, n] : years) {
    if (n > best_n) { best_year = y; best_n = n; }
  }
  for (auto& s : in->sources) {
    if (!s->needs_year()) continue;
    if (best_year > 0) {
      s->SetAssumedYear(best_year, fmt::format("from the dates in {} other file(s)", best_n));
    } else {
      int y = MtimeYear(s->name());
      s->SetAssumedYear(y > 0 ? y : 1970, "the file's modification year");
    }
  }
  return in;
}

}  // namespace kiriwake::timeline
