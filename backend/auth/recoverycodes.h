// SPDX-License-Identifier: MIT
// One-time recovery codes and the random-token and digest helpers around them.
//
// Recovery codes, refresh tokens and similar bearer secrets are shown to the
// user once and stored only as hashToken() digests: they carry enough entropy
// (≥ 59 bits for codes, 256 bits for tokens) that a fast unsalted SHA-256 is
// enough, unlike passwords. All functions are thread-safe.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace colophon {

// count distinct codes shaped "xxxx-xxxx-xxxx" from a 31-symbol alphabet with
// no look-alikes (no 0/o, 1/l/i): log2(31^12) ≈ 59.4 bits each.
QStringList generateRecoveryCodes(int count = 10);

// What a user typed, in the form generateRecoveryCodes() produced: lower
// case, surrounding and inner spaces dropped, hyphens re-inserted. Hash the
// result, so "ABCD EFGH JKMN" finds the stored code.
QString normalizeRecoveryCode(const QString &typed);

// Lower-case hex SHA-256 of the UTF-8 text: what is stored for refresh tokens
// and recovery codes.
QString hashToken(const QString &token);

// bytes random bytes as base64url without padding (43 characters for 32).
QString randomToken(int bytes = 32);

// Constant time for equal lengths; different lengths are unequal at once,
// since the length of a digest or code is not secret.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

} // namespace colophon
