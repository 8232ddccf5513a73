// SPDX-License-Identifier: MIT
// RFC 6238 time-based one-time passwords, their secrets and enrolment QR codes.
//
// HMAC-SHA-1 with a 30-second step and 6 digits, which is what every
// authenticator app supports. Secrets are exchanged as RFC 4648 base32.
// verify() returns the time step it matched so the caller can store it and
// refuse a second use of the same code (RFC 6238 §5.2). Stateless and
// thread-safe.
#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

namespace colophon {

class Totp final
{
public:
    static QByteArray
    generateSecret(); // 20 random bytes, the HMAC-SHA-1 block-friendly size RFC 4226 recommends

    // RFC 4648 base32, upper case, without padding.
    static QString toBase32(const QByteArray &bytes);
    // Accepts lower case, trailing '=' padding and spaces (people copy secrets
    // in groups); nullopt for any other character or an impossible length.
    static std::optional<QByteArray> fromBase32(const QString &text);

    // The code for the step containing unixSeconds, zero-padded to digits
    // (1..10). Empty for digits or step out of range.
    static QString code(const QByteArray &secret, qint64 unixSeconds, int digits = 6,
                        int step = 30);

    // Checks a 6-digit code (spaces ignored) against steps -window..+window
    // around unixSeconds (window 0..10); returns the matched time step (so the caller can
    // refuse a replay of a step already used) or nullopt. Every candidate is
    // computed and compared in constant time, whichever matches.
    static std::optional<qint64> verify(const QByteArray &secret, const QString &code,
                                        qint64 unixSeconds, int window = 1, int step = 30);

    // otpauth://totp/Issuer:account?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
    // with the label and issuer percent-encoded.
    static QString otpauthUri(const QString &issuer, const QString &account,
                              const QByteArray &secret);

    // An SVG document of the QR code for text (libqrencode, error correction
    // level M, 4-module quiet zone): a white <rect> background and one black
    // <path> with a sub-path per horizontal run of dark modules. Empty if the
    // text is too long for any QR version.
    static QString qrSvg(const QString &text);
};

} // namespace colophon
