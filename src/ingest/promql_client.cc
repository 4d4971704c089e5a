#include "ingest/promql_client.h"

#include <cmath>
#include <set>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "util/text.h"
#include "util/url_query.h"

namespace kiriwake::ingest {

using nlohmann::json;

Result<PromQLClient> PromQLClient::Create(PromQLOptions options) {
  std::string_view url = options.url;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos ||
      (url.substr(0, scheme_end) != "http" && url.substr(0, scheme_end) != "https")) {
    return Status::Usage(fmt::format(
        "--prometheus: expected a URL like http://127.0.0.1:9090, saw \"{}\"", options.url));
  }
  size_t path_start = url.find('/', scheme_end + 3);
  std::string base(url.substr(0, path_start));
  std::string prefix =
      path_start == std::string_view::npos ? "" : std::string(url.substr(path_start));
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (base.size() <= scheme_end + 3) {
    return Status::Usage(fmt::format("--prometheus: no host in \"{}\"", options.url));
  }
  PromQLClient c(std::move(options));
  c.scheme_host_port_ = std::move(base);
  c.path_prefix_ = std::move(prefix);
  return c;
}

Result<std::string> PromQLClient::Get(const std::string& path_and_query) const {
  httplib::Client cli(scheme_host_port_);
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(options_.timeout);
  auto usecs = std::chrono::duration_cast<std::chrono::microseconds>(options_.timeout - secs);
  cli.set_connection_timeout(secs.count(), usecs.count());
  cli.set_read_timeout(secs.count(), usecs.count());
  cli.set_write_timeout(secs.count(), usecs.count());
  if (!options_.bearer_token.empty()) cli.set_bearer_token_auth(options_.bearer_token.c_str());
  if (!options_.basic_user.empty()) {
    cli.set_basic_auth(options_.basic_user.c_str(), options_.basic_password.c_str());
  }
  if (!options_.ca_file.empty()) cli.set_ca_cert_path(options_.ca_file.c_str());
  cli.enable_server_certificate_verification(!options_.insecure_skip_verify);
  std::string path = path_prefix_ + path_and_query;
  auto res = cli.Get(path.c_str());
  if (!res) {
    return Status::Unavailable(
        fmt::format("{}: no answer ({})", options_.url, httplib::to_string(res.error())));
  }
  if (res->status == 401 || res->status == 403) {
    return Status::Unavailable(
        fmt::format("{}: HTTP {}: authentication refused", options_.url, res->status));
  }
  // The API answers 400/422/503 with a JSON error body; let the parser read it.
  if (res->status != 200 && res->status != 400 && res->status != 422 && res->status != 503) {
    return Status::Unavailable(
        fmt::format("{}: HTTP {} for {}", options_.url, res->status, EscapeForMessage(path, 120)));
  }
  return res->body;
}

namespace {

// "123.4" / "NaN" / "+Inf" / "-Inf": a sample value as the API writes it.
bool ParseSampleValue(const std::string& s, double* v) {
  if (s == "NaN") {
    *v = std::nan("");
  } else if (s == "+Inf") {
    *v = INFINITY;
  } else if (s == "-Inf") {
    *v = -INFINITY;
  } else {
    auto d = text::ParseDouble(s);
    if (!d) return false;
    *v = *d;
  }
  return true;
}

// Parses "1710494521.123" timestamps and "123.4" / "NaN" / "+Inf" sample values.
bool ParsePromValue(const json& pair, double* t, double* v) {
  if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number() || !pair[1].is_string()) {
    return false;
  }
  *t = pair[0].get<double>();
  return ParseSampleValue(pair[1].get_ref<const std::string&>(), v);
}

// obj[key] when it is a string, else `fallback`. json::value() throws when the key holds another
// type ("resultType": [...], found by fuzz/promql_fuzz.cc); a malformed answer must be an error.
std::string StringOr(const json& obj, const char* key, std::string fallback) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::move(fallback);
}

// The API's envelope: parse, collect warnings, turn "status": "error" into a Status. *doc holds
// the parsed document on success.
Status ParseStatus(std::string_view body, std::string_view what, json* out,
                   std::vector<std::string>* warnings) {
  json& doc = *out;
  try {
    doc = json::parse(body);
  } catch (const json::parse_error& e) {
    return Status::At(
        StatusCode::kMalformed, SourceLoc{std::string(what), 0, 0},
        fmt::format("not Prometheus API JSON at byte {}: {}", e.byte, EscapeForMessage(body)));
  } catch (const json::exception& e) {
    // e.g. out_of_range 406, a number too large for a double (found by fuzz/promql_fuzz.cc).
    return Status::At(StatusCode::kMalformed, SourceLoc{std::string(what), 0, 0},
                      fmt::format("not Prometheus API JSON: {}", e.what()));
  }
  if (!doc.is_object() || !doc.contains("status") || !doc["status"].is_string()) {
    return Status::At(StatusCode::kMalformed, SourceLoc{std::string(what), 0, 0},
                      "expected an object with \"status\"");
  }
  if (doc.contains("warnings") && doc["warnings"].is_array()) {
    for (const auto& w : doc["warnings"]) {
      if (w.is_string()) warnings->push_back(w.get<std::string>());
    }
  }
  if (doc["status"] != "success") {
    std::string type = StringOr(doc, "errorType", "error");
    std::string err = StringOr(doc, "error", "no message");
    StatusCode code =
        type == "timeout" || type == "unavailable" ? StatusCode::kUnavailable : StatusCode::kUsage;
    return Status::At(code, SourceLoc{std::string(what), 0, 0},
                      fmt::format("query failed ({}): {}", type, err));
  }
  return Status::Ok();
}

Status ParseEnvelope(std::string_view body, std::string_view what, std::string_view want_type,
                     json* result, std::vector<std::string>* warnings) {
  json doc;
  KW_RETURN_IF_ERROR(ParseStatus(body, what, &doc, warnings));
  if (!doc.contains("data") || !doc["data"].is_object() ||
      StringOr(doc["data"], "resultType", "") != want_type || !doc["data"].contains("result") ||
      !doc["data"]["result"].is_array()) {
    return Status::At(
        StatusCode::kMalformed, SourceLoc{std::string(what), 0, 0},
        fmt::format("expected data.resultType \"{}\" with a result array", want_type));
  }
  *result = std::move(doc["data"]["result"]);
  return Status::Ok();
}

bool ParseLabels(const json& item, std::map<std::string, std::string>* labels) {
  if (!item.is_object() || !item.contains("metric") || !item["metric"].is_object()) return false;
  for (const auto& [k, v] : item["metric"].items()) {
    if (!v.is_string()) return false;
    (*labels)[k] = v.get<std::string>();
  }
  return true;
}

}  // namespace

namespace {

// The common answer, a successful instant vector, read straight into samples through the SAX
// interface: as a document, a 30 MB answer (200,000 pairs) took 1.3 s and hundreds of MB of
// nodes. Anything it does not expect — another status, a duplicate key, a field of another type,
// a non-finite number, bad JSON — makes it give up, and the document reader answers instead,
// with its precise error. So it only ever has to be right about answers that are right.
class VectorSax : public nlohmann::json_sax<json> {
 public:
  bool Done() const {
    return !failed_ && status_ == "success" && result_type_ == "vector" && seen_result_;
  }
  PromVector Take() { return std::move(out_); }

  bool null() override { return Scalar(nullptr, nullptr); }
  bool boolean(bool) override { return Scalar(nullptr, nullptr); }
  bool number_integer(number_integer_t v) override {
    double d = static_cast<double>(v);
    return Scalar(&d, nullptr);
  }
  bool number_unsigned(number_unsigned_t v) override {
    double d = static_cast<double>(v);
    return Scalar(&d, nullptr);
  }
  bool number_float(number_float_t v, const string_t&) override {
    if (!std::isfinite(v)) return Fail();  // the document reader's out_of_range error
    return Scalar(&v, nullptr);
  }
  bool string(string_t& v) override { return Scalar(nullptr, &v); }
  bool binary(binary_t&) override { return Fail(); }
  bool key(string_t& k) override {
    if (stack_.empty()) return Fail();
    Frame& f = stack_.back();
    switch (f.ctx) {
      case Ctx::kTop:
      case Ctx::kData:
      case Ctx::kItem:
        if (!f.keys.insert(k).second) return Fail();  // last one wins there: let it say so
        break;
      case Ctx::kMetric:
        if (sample_.labels.count(k)) return Fail();
        break;
      default:
        break;
    }
    f.key = std::move(k);
    return true;
  }
  bool start_object(std::size_t) override { return Open(true); }
  bool start_array(std::size_t) override { return Open(false); }
  bool end_object() override { return Close(); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return Fail();
  }

 private:
  enum class Ctx { kTop, kData, kResult, kItem, kMetric, kValue, kWarnings, kSkip };
  struct Frame {
    Ctx ctx;
    std::string key;                 // objects: the key whose value comes next
    std::set<std::string> keys;      // kTop, kData, kItem: the known keys seen
    int elements = 0;                // arrays: values seen
  };
  bool Fail() {
    failed_ = true;
    return false;  // stops the parser
  }
  // Pushes the context of an object or array opening here; fails where none can be.
  bool Open(bool object) {
    if (stack_.empty()) {
      if (!object) return Fail();
      stack_.push_back({Ctx::kTop, {}, {}, 0});
      return true;
    }
    Frame& f = stack_.back();
    Ctx next = Ctx::kSkip;
    switch (f.ctx) {
      case Ctx::kTop:
        if (f.key == "data") {
          if (!object) return Fail();
          next = Ctx::kData;
        } else if (f.key == "warnings") {
          if (object) return Fail();
          next = Ctx::kWarnings;
        } else if (f.key == "status") {
          return Fail();
        }
        break;
      case Ctx::kData:
        if (f.key == "result") {
          if (object) return Fail();
          seen_result_ = true;
          next = Ctx::kResult;
        } else if (f.key == "resultType") {
          return Fail();
        }
        break;
      case Ctx::kResult:
        if (!object) return Fail();
        ++f.elements;
        sample_ = PromSample{};
        has_metric_ = has_value_ = false;
        next = Ctx::kItem;
        break;
      case Ctx::kItem:
        if (f.key == "metric") {
          if (!object) return Fail();
          has_metric_ = true;
          next = Ctx::kMetric;
        } else if (f.key == "value") {
          if (object) return Fail();
          has_value_ = true;
          next = Ctx::kValue;
        }
        break;
      case Ctx::kMetric:
      case Ctx::kValue:
      case Ctx::kWarnings:
        return Fail();
      case Ctx::kSkip:
        break;
    }
    stack_.push_back({next, {}, {}, 0});
    return true;
  }
  bool Close() {
    if (stack_.empty()) return Fail();
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.ctx == Ctx::kValue && f.elements != 2) return Fail();
    if (f.ctx == Ctx::kItem) {
      if (!has_metric_ || !has_value_) return Fail();
      out_.samples.push_back(std::move(sample_));
    }
    return true;
  }
  // A string (s) or number (d) value, or another scalar (both null).
  bool Scalar(const double* d, string_t* s) {
    if (stack_.empty()) return Fail();
    Frame& f = stack_.back();
    switch (f.ctx) {
      case Ctx::kTop:
        if (f.key == "status") {
          if (!s) return Fail();
          status_ = *s;
        } else if (f.key == "data" || f.key == "warnings") {
          return Fail();
        }
        return true;
      case Ctx::kData:
        if (f.key == "resultType") {
          if (!s) return Fail();
          result_type_ = *s;
        } else if (f.key == "result") {
          return Fail();
        }
        return true;
      case Ctx::kResult:
        return Fail();
      case Ctx::kItem:
        return f.key == "metric" || f.key == "value" ? Fail() : true;
      case Ctx::kMetric:
        if (!s) return Fail();
        sample_.labels.emplace(std::move(f.key), std::move(*s));
        return true;
      case Ctx::kValue:
        if (f.elements == 0) {
          if (!d) return Fail();
          sample_.time_s = *d;
        } else if (f.elements == 1) {
          if (!s || !ParseSampleValue(*s, &sample_.value)) return Fail();
        } else {
          return Fail();
        }
        ++f.elements;
        return true;
      case Ctx::kWarnings:
        if (!s) return Fail();
        out_.warnings.push_back(std::move(*s));
        return true;
      case Ctx::kSkip:
        return true;
    }
    return true;
  }

  std::vector<Frame> stack_;
  PromVector out_;
  PromSample sample_;
  bool has_metric_ = false, has_value_ = false;
  std::string status_, result_type_;
  bool seen_result_ = false;
  bool failed_ = false;
};

}  // namespace

std::optional<PromVector> ParsePromVectorStreamed(std::string_view body) {
  VectorSax sax;
  bool parsed = false;
  try {
    parsed = json::sax_parse(body.begin(), body.end(), &sax);
  } catch (const json::exception&) {
    parsed = false;  // the document reader says what
  }
  if (!parsed || !sax.Done()) return std::nullopt;
  return sax.Take();
}

Result<PromVector> ParsePromVector(std::string_view body, std::string_view what) {
  if (auto v = ParsePromVectorStreamed(body)) return std::move(*v);
  return ParsePromVectorDocument(body, what);
}

Result<PromVector> ParsePromVectorDocument(std::string_view body, std::string_view what) {
  PromVector out;
  json result;
  KW_RETURN_IF_ERROR(ParseEnvelope(body, what, "vector", &result, &out.warnings));
  size_t i = 0;
  for (const auto& item : result) {
    PromSample s;
    if (!ParseLabels(item, &s.labels) || !item.contains("value") ||
        !ParsePromValue(item["value"], &s.time_s, &s.value)) {
      return Status::At(StatusCode::kMalformed, SourceLoc{std::string(what), 0, 0},
                        fmt::format("result[{}]: expected {{\"metric\": {{...}}, \"value\": "
                                    "[time, \"number\"]}}",
                                    i));
    }
    out.samples.push_back(std::move(s));
    ++i;
  }
  return out;
}

Result<PromStrings> ParsePromStrings(std::string_view body, std::string_view what) {
  PromStrings out;
  json doc;
  KW_RETURN_IF_ERROR(ParseStatus(body, what, &doc, &out.warnings));
  if (!doc.contains("data") || !doc["data"].is_array()) {
    return Status::At(StatusCode::kMalformed, SourceLoc{std::string(what), 0, 0},
                      "expected \"data\": an array of strings");
  }
  for (const auto& v : doc["data"]) {
    if (!v.is_string()) {
      return Status::At(StatusCode::kMalformed, SourceLoc{std::string(what), 0, 0},
                        fmt::format("data[{}]: expected a string", out.values.size()));
    }
    out.values.push_back(v.get<std::string>());
  }
  return out;
}

Result<PromMatrix> ParsePromMatrix(std::string_view body, std::string_view what) {
  PromMatrix out;
  json result;
  KW_RETURN_IF_ERROR(ParseEnvelope(body, what, "matrix", &result, &out.warnings));
  size_t i = 0;
  for (const auto& item : result) {
    PromSeries s;
    if (!ParseLabels(item, &s.labels) || !item.contains("values") || !item["values"].is_array()) {
      return Status::At(StatusCode::kMalformed, SourceLoc{std::string(what), 0, 0},
                        fmt::format("result[{}]: expected {{\"metric\": {{...}}, \"values\": "
                                    "[[time, \"number\"], ...]}}",
                                    i));
    }
    for (const auto& p : item["values"]) {
      double t, v;
      if (!ParsePromValue(p, &t, &v)) {
        return Status::At(StatusCode::kMalformed, SourceLoc{std::string(what), 0, 0},
                          fmt::format("result[{}]: a value is not [time, \"number\"]", i));
      }
      s.points.emplace_back(t, v);
    }
    out.series.push_back(std::move(s));
    ++i;
  }
  return out;
}

Result<PromVector> PromQLClient::Instant(std::string_view query,
                                         std::optional<double> time_s) const {
  std::string pq = "/api/v1/query?query=" + UrlEncode(query);
  if (time_s) pq += fmt::format("&time={:.3f}", *time_s);
  KW_ASSIGN_OR_RETURN(std::string body, Get(pq));
  return ParsePromVector(body, fmt::format("{} query {}", options_.url, query));
}

Result<PromStrings> PromQLClient::LabelValues(std::string_view label,
                                              const std::vector<std::string>& match) const {
  std::string pq = fmt::format("/api/v1/label/{}/values", UrlEncode(label));
  char sep = '?';
  for (const std::string& m : match) {
    pq += fmt::format("{}match%5B%5D={}", sep, UrlEncode(m));
    sep = '&';
  }
  KW_ASSIGN_OR_RETURN(std::string body, Get(pq));
  return ParsePromStrings(body, fmt::format("{} label values of {}", options_.url, label));
}

Result<PromMatrix> PromQLClient::Range(std::string_view query, double start_s, double end_s,
                                       double step_s) const {
  std::string pq = fmt::format("/api/v1/query_range?query={}&start={:.3f}&end={:.3f}&step={:.3f}",
                               UrlEncode(query), start_s, end_s, step_s);
  KW_ASSIGN_OR_RETURN(std::string body, Get(pq));
  return ParsePromMatrix(body, fmt::format("{} query_range {}", options_.url, query));
}

}  // namespace kiriwake::ingest
