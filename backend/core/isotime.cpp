// SPDX-License-Identifier: MIT
#include "backend/core/isotime.h"

#include <QDateTime>

namespace colophon {

namespace {

constexpr qint64 kMsPerDay = 86'400'000;
constexpr qint64 kEndOf9999Ms = 253'402'300'800'000; // 10000-01-01T00:00:00Z

// Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil, inverted).
void civilFromDays(qint64 days, int &year, unsigned &month, unsigned &day)
{
    days += 719468;
    const qint64 era = (days >= 0 ? days : days - 146096) / 146097;
    const auto dayOfEra = unsigned(days - era * 146097);
    const unsigned yearOfEra =
        (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
    const unsigned dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const unsigned mp = (5 * dayOfYear + 2) / 153;
    day = dayOfYear - (153 * mp + 2) / 5 + 1;
    month = mp < 10 ? mp + 3 : mp - 9;
    year = int(qint64(yearOfEra) + era * 400 + (month <= 2 ? 1 : 0));
}

} // namespace

std::string isoTimeUtc(qint64 ms)
{
    if (ms < 0 || ms >= kEndOf9999Ms) {
        return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)
            .toString(Qt::ISODateWithMs)
            .toStdString();
    }
    const qint64 days = ms / kMsPerDay;
    const qint64 inDay = ms % kMsPerDay;
    int year = 0;
    unsigned month = 0;
    unsigned day = 0;
    civilFromDays(days, year, month, day);
    // Written digit by digit: snprintf was most of an item's five timestamps.
    std::string out = "0000-00-00T00:00:00.000Z";
    const auto put = [&out](size_t at, unsigned value, size_t digits) {
        for (size_t i = digits; i-- > 0; value /= 10) {
            out[at + i] = char('0' + value % 10);
        }
    };
    put(0, unsigned(year), 4);
    put(5, month, 2);
    put(8, day, 2);
    put(11, unsigned(inDay / 3'600'000), 2);
    put(14, unsigned(inDay / 60'000 % 60), 2);
    put(17, unsigned(inDay / 1000 % 60), 2);
    put(20, unsigned(inDay % 1000), 3);
    return out;
}

} // namespace colophon
