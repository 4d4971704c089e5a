// cli/collect_cmd.cc: `kiriwake collect`: pull every agent's observations into one file.
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "util/text.h"
#include "util/url_query.h"

namespace kiriwake::cli {

namespace {

struct CollectArgs {
  std::string agents;
  std::string since;
  std::string out;
  double timeout_s = 10;
};

ExitStatus RunCollect(const CollectArgs& a) {
  ExitStatus status = ExitStatus::kOk;
  std::string body_all;
  size_t lines = 0;
  for (std::string_view agent_sv : text::Split(a.agents, ',')) {
    std::string agent(text::Trim(agent_sv));
    if (agent.empty()) continue;
    auto hp = text::SplitHostPort(agent, 9623);
    if (!hp) {
      PrintError(fmt::format("{}: expected HOST[:PORT]", agent));
      status = ExitStatus::kError;
      continue;
    }
    httplib::Client cli(hp->host, hp->port);
    cli.set_connection_timeout(static_cast<time_t>(a.timeout_s), 0);
    cli.set_read_timeout(static_cast<time_t>(a.timeout_s), 0);
    std::string path = "/api/v1/observations";
    if (!a.since.empty()) path += "?since=" + UrlEncode(a.since);
    auto res = cli.Get(path);
    if (!res) {
      PrintError(fmt::format("{}: {}", agent, httplib::to_string(res.error())));
      status = ExitStatus::kError;
      continue;
    }
    if (res->status != 200) {
      PrintError(fmt::format("{}: HTTP {}: {}", agent, res->status, text::Trim(res->body)));
      status = ExitStatus::kError;
      continue;
    }
    size_t line_no = 0;
    for (std::string_view line : text::Split(res->body, '\n')) {
      ++line_no;
      if (text::Trim(line).empty()) continue;
      auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded() || !j.is_object()) {
        PrintWarning(fmt::format("{}{}:{}: not a JSON observation, skipped", agent, path, line_no));
        status = Worst(status, ExitStatus::kError);
        continue;
      }
      body_all += std::string(line) + "\n";
      ++lines;
    }
  }
  if (a.out.empty() || a.out == "-") {
    std::fputs(body_all.c_str(), stdout);
  } else {
    std::ofstream f(a.out, std::ios::trunc | std::ios::binary);
    f << body_all;
    f.flush();
    if (!f) {
      PrintError(fmt::format("cannot write {}", a.out));
      return ExitStatus::kError;
    }
    fmt::print(stderr, "kiriwake: wrote {} observations to {}\n", lines, a.out);
  }
  return status;
}

}  // namespace

void AddCollectCommand(CLI::App& app, std::vector<Verb>* verbs) {
  auto cargs = std::make_shared<CollectArgs>();
  CLI::App* csub = app.add_subcommand(
      "collect",
      "Pull every agent's observations (JSON Lines) into one file for `kiriwake localize`.\n"
      "Exit status: 0 every agent answered; 2 some agent failed (the others are still written).");
  csub->add_option("--agents", cargs->agents, "HOST[:PORT],... (port 9623 by default)")->required();
  csub->add_option("--since", cargs->since, "only windows ending after this (unix s or RFC 3339)");
  csub->add_option("-o,--out", cargs->out, "output file (default: stdout)");
  csub->add_option("--timeout", cargs->timeout_s, "seconds per agent")->capture_default_str();
  verbs->push_back({csub, [cargs] { return RunCollect(*cargs); }});
}

}  // namespace kiriwake::cli
