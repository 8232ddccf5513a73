// SPDX-License-Identifier: MIT
// TOTP codes (HMAC-SHA-1 from Qt), base32, otpauth URIs and QR SVG rendering.
#include "backend/auth/totp.h"

#include "backend/auth/cryptoutil.h"

#include <QMessageAuthenticationCode>
#include <QUrl>
#include <array>
#include <qrencode.h>
#include <sodium.h>

namespace colophon {

namespace {

constexpr char kBase32Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr int kVerifyDigits = 6;

qint64 floorDiv(qint64 a, qint64 b)
{
    qint64 q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        --q;
    return q;
}

QString codeForCounter(const QByteArray &secret, qint64 counter, int digits)
{
    QByteArray message(8, '\0');
    auto c = static_cast<quint64>(counter);
    for (int i = 7; i >= 0; --i) {
        message[i] = static_cast<char>(c & 0xff);
        c >>= 8;
    }
    const QByteArray mac =
        QMessageAuthenticationCode::hash(message, secret, QCryptographicHash::Sha1);
    // RFC 4226 §5.3 dynamic truncation.
    const int offset = static_cast<unsigned char>(mac.at(mac.size() - 1)) & 0x0f;
    const quint32 binary = (quint32(static_cast<unsigned char>(mac.at(offset)) & 0x7f) << 24) |
                           (quint32(static_cast<unsigned char>(mac.at(offset + 1))) << 16) |
                           (quint32(static_cast<unsigned char>(mac.at(offset + 2))) << 8) |
                           quint32(static_cast<unsigned char>(mac.at(offset + 3)));
    quint64 modulus = 1;
    for (int i = 0; i < digits; ++i)
        modulus *= 10;
    return QStringLiteral("%1").arg(quint64(binary) % modulus, digits, 10, QLatin1Char('0'));
}

} // namespace

QByteArray Totp::generateSecret()
{
    return authdetail::randomBytes(20);
}

QString Totp::toBase32(const QByteArray &bytes)
{
    QString out;
    out.reserve((bytes.size() * 8 + 4) / 5);
    quint32 buffer = 0;
    int bits = 0;
    for (const char ch : bytes) {
        buffer = (buffer << 8) | static_cast<unsigned char>(ch);
        bits += 8;
        while (bits >= 5) {
            out.append(QLatin1Char(kBase32Alphabet[(buffer >> (bits - 5)) & 0x1f]));
            bits -= 5;
        }
    }
    if (bits > 0)
        out.append(QLatin1Char(kBase32Alphabet[(buffer << (5 - bits)) & 0x1f]));
    return out;
}

std::optional<QByteArray> Totp::fromBase32(const QString &text)
{
    QByteArray out;
    quint32 buffer = 0;
    int bits = 0;
    int symbols = 0;
    bool padding = false;
    for (const QChar qc : text) {
        const char16_t c = qc.unicode();
        if (c == u' ')
            continue;
        if (c == u'=') {
            padding = true;
            continue;
        }
        if (padding)
            return std::nullopt; // data after padding
        int value = -1;
        if (c >= u'A' && c <= u'Z')
            value = c - u'A';
        else if (c >= u'a' && c <= u'z')
            value = c - u'a';
        else if (c >= u'2' && c <= u'7')
            value = c - u'2' + 26;
        if (value < 0)
            return std::nullopt;
        buffer = (buffer << 5) | quint32(value);
        bits += 5;
        ++symbols;
        if (bits >= 8) {
            out.append(static_cast<char>((buffer >> (bits - 8)) & 0xff));
            bits -= 8;
        }
    }
    // 1, 3 or 6 trailing symbols cannot come from whole bytes.
    const int tail = symbols % 8;
    if (tail == 1 || tail == 3 || tail == 6)
        return std::nullopt;
    return out;
}

QString Totp::code(const QByteArray &secret, qint64 unixSeconds, int digits, int step)
{
    if (digits < 1 || digits > 10 || step <= 0)
        return {};
    return codeForCounter(secret, floorDiv(unixSeconds, step), digits);
}

std::optional<qint64> Totp::verify(const QByteArray &secret, const QString &code,
                                   qint64 unixSeconds, int window, int step)
{
    if (step <= 0 || window < 0 || window > 10)
        return std::nullopt;
    QByteArray given = code.toLatin1();
    given.replace(' ', QByteArray());
    if (given.size() != kVerifyDigits)
        return std::nullopt;
    for (const char c : given) {
        if (c < '0' || c > '9')
            return std::nullopt;
    }
    authdetail::ensureSodium();
    const qint64 now = floorDiv(unixSeconds, step);
    std::optional<qint64> matched;
    // No early exit: how long this takes must not reveal which step matched.
    for (qint64 offset = -window; offset <= window; ++offset) {
        const QByteArray expected = codeForCounter(secret, now + offset, kVerifyDigits).toLatin1();
        if (sodium_memcmp(expected.constData(), given.constData(), kVerifyDigits) == 0 && !matched)
            matched = now + offset;
    }
    return matched;
}

QString Totp::otpauthUri(const QString &issuer, const QString &account, const QByteArray &secret)
{
    // '@' is legal in a URI path and query; leaving it readable matches what
    // authenticator apps show and what the Key URI Format examples use.
    const QString encodedAccount = QString::fromLatin1(QUrl::toPercentEncoding(account, "@"));
    const QString encodedIssuer = QString::fromLatin1(QUrl::toPercentEncoding(issuer));
    QString uri = QStringLiteral("otpauth://totp/");
    if (!issuer.isEmpty())
        uri += encodedIssuer + QLatin1Char(':');
    uri += encodedAccount + QStringLiteral("?secret=") + toBase32(secret);
    if (!issuer.isEmpty())
        uri += QStringLiteral("&issuer=") + encodedIssuer;
    uri += QStringLiteral("&algorithm=SHA1&digits=6&period=30");
    return uri;
}

QString Totp::qrSvg(const QString &text)
{
    constexpr int quiet = 4;
    const QByteArray data = text.toUtf8();
    // encodeData, unlike encodeString, is binary-safe and always uses 8-bit
    // mode, so the bytes scanned are exactly the UTF-8 given.
    QRcode *qr = QRcode_encodeData(static_cast<int>(data.size()),
                                   reinterpret_cast<const unsigned char *>(data.constData()), 0,
                                   QR_ECLEVEL_M);
    if (!qr)
        return {};
    const int width = qr->width;
    const int size = width + 2 * quiet;
    QString path;
    for (int y = 0; y < width; ++y) {
        const unsigned char *row = qr->data + static_cast<std::ptrdiff_t>(y) * width;
        for (int x = 0; x < width;) {
            if ((row[x] & 1) == 0) {
                ++x;
                continue;
            }
            const int start = x;
            while (x < width && (row[x] & 1) != 0)
                ++x;
            path +=
                QStringLiteral("M%1 %2h%3v1h-%3z").arg(start + quiet).arg(y + quiet).arg(x - start);
        }
    }
    QRcode_free(qr);
    return QStringLiteral(
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
               "viewBox=\"0 0 %1 %1\" width=\"%2\" height=\"%2\" shape-rendering=\"crispEdges\">"
               "<rect width=\"%1\" height=\"%1\" fill=\"#ffffff\"/>"
               "<path fill=\"#000000\" d=\"%3\"/></svg>\n")
        .arg(size)
        .arg(size * 4)
        .arg(path);
}

} // namespace colophon
