// SPDX-License-Identifier: MIT
// Markdown files with YAML front matter, as `colophonctl content export
// --format markdown` writes them and `content import` reads them:
//
//   ---
//   title: "A title"
//   tags: ["a", "b"]
//   metadata: {"k": 1}
//   ---
//   The Markdown body, byte for byte.
//
// The front matter is a strict subset of YAML, read by a small parser of our
// own rather than a YAML library: one level of `key: value` lines whose value
// is a plain, "double-quoted" or 'single-quoted' scalar, a list in flow form
// [a, "b"] or block form (following lines "- item"), or a JSON object in flow
// form {...} (which may span lines). Anything else (nested block maps, block
// scalars | and >, anchors, aliases, tags, duplicate keys) is refused with the
// line it is on, never guessed at. The writer emits only double-quoted
// strings whose escapes YAML and JSON share, so what it writes reads back
// unchanged.
#pragma once

#include "backend/core/error.h"

#include <QString>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace colophon::ctl {

struct MarkdownDocument
{
    nlohmann::json fields = nlohmann::json::object(); // scalars as strings or null
    QString body;
};

// Errors are InvalidInput naming "front matter" (with the line) or the key at fault.
Result<MarkdownDocument> parseMarkdownDocument(const QString &text);

// The front matter (keys in the order given) then the body.
QString writeMarkdownDocument(const std::vector<std::pair<QString, nlohmann::json>> &fields,
                              const QString &body);

// A value in flow form, valid as YAML and as JSON: strings double-quoted with
// \" \\ \n \t \r \b \f and \uXXXX escapes only.
QString yamlFlow(const nlohmann::json &value);

} // namespace colophon::ctl
