// SPDX-License-Identifier: MIT
// Milliseconds since the Unix epoch as ISO 8601 in UTC with milliseconds,
// "2026-11-24T17:32:00.123Z": the same text as QDateTime's
// toString(Qt::ISODateWithMs) for a UTC time, without building a QDateTime
// and a QString (a fifth of an item's JSON rendering went there).
#pragma once

#include <QtGlobal>
#include <string>

namespace colophon {

// For times from 1970 to the end of year 9999; others as QDateTime writes them.
std::string isoTimeUtc(qint64 msSinceEpoch);

} // namespace colophon
