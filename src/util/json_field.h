// util/json_field.h: reading one field of a JSON object that may not be there.
//
// The tools kiriwake reads (ceph ... -f json, kubectl get events -o json) leave fields out,
// write numbers as strings, and change shapes between releases. These helpers answer "the field
// as this type, or the fallback", and the parser decides what a missing field means: an error
// naming the file and entry, a default, or another field to try.
#ifndef KIRIWAKE_UTIL_JSON_FIELD_H_
#define KIRIWAKE_UTIL_JSON_FIELD_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace kiriwake {

// o[key] if `o` is an object and o[key] a string; else "".
std::string JsonString(const nlohmann::json& o, const char* key);

// o[key] if `o` is an object and o[key] an integer in int's range, as a JSON number or a
// decimal string ("3": Ceph writes some ids so); else `fallback`. Out of range is the fallback,
// not a wrapped value.
int JsonInt(const nlohmann::json& o, const char* key, int fallback = -1);

// o[key] if `o` is an object and o[key] a number; else `fallback`.
double JsonNumber(const nlohmann::json& o, const char* key, double fallback = -1);

// Where each element of one array starts in the JSON text `doc` (0-based byte offsets, for
// SourceLoc::OfOffset): the top-level array when `key` is empty, else the array that is the
// top-level object's member `key` (the last one, as nlohmann keeps, when it is given twice).
// nlohmann 3.11 tells a SAX handler where a parse error is, but not where a value starts; this
// scan gives warnings about single elements their line and column. `doc` must be JSON that
// parsed; on anything else the result is merely incomplete (callers check its size against the
// parsed array's). Iterative: constant stack whatever the nesting.
std::vector<size_t> JsonArrayElementOffsets(std::string_view doc, std::string_view key = {});

}  // namespace kiriwake

#endif  // KIRIWAKE_UTIL_JSON_FIELD_H_
