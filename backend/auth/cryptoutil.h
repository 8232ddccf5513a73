// SPDX-License-Identifier: MIT
// Internal helpers shared by the auth sources; not part of the module's API.
//
// Keeps <sodium.h> out of the public headers. ensureSodium() must run before
// any libsodium call that draws randomness or picks an implementation; it is
// cheap after the first call, so every entry point calls it rather than
// relying on some startup code having run.
#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

namespace colophon::authdetail {

// Initialises libsodium exactly once per process. Aborts (qFatal) if it
// cannot: that only happens without a usable entropy source, and carrying on
// would mean handing out predictable secrets.
void ensureSodium();

// RFC 4648 §5 base64url without padding.
QString base64UrlEncode(const QByteArray &bytes);
// Strict inverse of base64UrlEncode: no padding, no whitespace, no other alphabet.
std::optional<QByteArray> base64UrlDecode(QByteArrayView text);

QByteArray randomBytes(qsizetype count);

} // namespace colophon::authdetail
