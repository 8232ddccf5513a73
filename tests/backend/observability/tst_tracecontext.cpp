// SPDX-License-Identifier: MIT
// Tests of W3C trace context: traceparent parsing, generation and child spans.
#include "backend/observability/tracecontext.h"

#include <QRegularExpression>
#include <QTest>
#include <set>

using namespace colophon;

namespace {

const char *const kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
const char *const kSpan = "00f067aa0ba902b7";

QString hexPattern(int n)
{
    return QStringLiteral("^[0-9a-f]{%1}$").arg(n);
}

bool isHex(const std::string &s, int n)
{
    return QRegularExpression(hexPattern(n)).match(QString::fromStdString(s)).hasMatch();
}

} // namespace

class TestTraceContext final : public QObject
{
    Q_OBJECT

private slots:
    void parsesValidTraceparents_data()
    {
        QTest::addColumn<QString>("header");
        QTest::addColumn<QString>("traceId");
        QTest::addColumn<QString>("spanId");
        QTest::addColumn<int>("flags");
        QTest::newRow("spec example, sampled")
            << "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" << kTrace << kSpan << 1;
        QTest::newRow("not sampled")
            << "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00" << kTrace << kSpan << 0;
        QTest::newRow("other flags")
            << "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff" << kTrace << kSpan << 255;
        QTest::newRow("ids with a single non-zero digit")
            << "00-00000000000000000000000000000001-0000000000000001-01"
            << "00000000000000000000000000000001"
            << "0000000000000001" << 1;
        QTest::newRow("future version, exact length")
            << "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" << kTrace << kSpan << 1;
        QTest::newRow("future version with more fields")
            << "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds"
            << kTrace << kSpan << 1;
    }
    void parsesValidTraceparents()
    {
        QFETCH(QString, header);
        QFETCH(QString, traceId);
        QFETCH(QString, spanId);
        QFETCH(int, flags);
        const auto ctx = TraceContext::parse(header.toStdString());
        QVERIFY(ctx.has_value());
        QCOMPARE(QString::fromStdString(ctx->traceId), traceId);
        QCOMPARE(QString::fromStdString(ctx->spanId), spanId);
        QCOMPARE(int(ctx->flags), flags);
    }

    void rejectsInvalidTraceparents_data()
    {
        QTest::addColumn<QString>("header");
        QTest::newRow("empty") << "";
        QTest::newRow("garbage") << "hello";
        QTest::newRow("uppercase trace id")
            << "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01";
        QTest::newRow("uppercase span id")
            << "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01";
        QTest::newRow("uppercase flags")
            << "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A";
        QTest::newRow("uppercase version")
            << "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        QTest::newRow("all-zero trace id")
            << "00-00000000000000000000000000000000-00f067aa0ba902b7-01";
        QTest::newRow("all-zero span id")
            << "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01";
        QTest::newRow("version ff") << "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        QTest::newRow("short trace id") << "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01";
        QTest::newRow("long trace id")
            << "00-4bf92f3577b34da6a3ce929d0e0e47361-00f067aa0ba902b7-01";
        QTest::newRow("short span id") << "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01";
        QTest::newRow("long span id") << "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b71-01";
        QTest::newRow("one-digit flags")
            << "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1";
        QTest::newRow("three-digit flags")
            << "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-011";
        QTest::newRow("version 00 with trailing fields")
            << "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra";
        QTest::newRow("trailing space")
            << "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ";
        QTest::newRow("leading space")
            << " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        QTest::newRow("future version, no dash after 55 chars")
            << "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x";
        QTest::newRow("wrong separators")
            << "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01";
        QTest::newRow("non-hex trace id")
            << "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01";
        QTest::newRow("one-digit version")
            << "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    }
    void rejectsInvalidTraceparents()
    {
        QFETCH(QString, header);
        QVERIFY(!TraceContext::parse(header.toStdString()).has_value());
    }

    void roundTripsThroughTraceparent()
    {
        const std::string header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        const auto parsed = TraceContext::parse(header);
        QVERIFY(parsed.has_value());
        QCOMPARE(parsed->toTraceparent(), header);

        TraceContext unsampled{kTrace, kSpan, 0};
        QCOMPARE(unsampled.toTraceparent(),
                 std::string("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
        TraceContext flagsAb{kTrace, kSpan, 0xab};
        QCOMPARE(TraceContext::parse(flagsAb.toTraceparent())->flags, std::uint8_t(0xab));
    }

    void futureVersionIsWrittenBackAsVersion00()
    {
        const auto parsed =
            TraceContext::parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more");
        QVERIFY(parsed.has_value());
        QCOMPARE(parsed->toTraceparent(),
                 std::string("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    }

    void generatedContextsAreValidAndDistinct()
    {
        std::set<std::string> traces;
        std::set<std::string> spans;
        for (int i = 0; i < 1000; ++i) {
            const TraceContext ctx = TraceContext::generate();
            QVERIFY(isHex(ctx.traceId, 32));
            QVERIFY(isHex(ctx.spanId, 16));
            QCOMPARE(ctx.flags, std::uint8_t(1));
            const auto reparsed = TraceContext::parse(ctx.toTraceparent());
            QVERIFY(reparsed.has_value());
            QCOMPARE(reparsed->traceId, ctx.traceId);
            QCOMPARE(reparsed->spanId, ctx.spanId);
            traces.insert(ctx.traceId);
            spans.insert(ctx.spanId);
        }
        QCOMPARE(traces.size(), std::size_t(1000));
        QCOMPARE(spans.size(), std::size_t(1000));
    }

    void childKeepsTraceIdAndFlagsWithANewSpan()
    {
        const TraceContext parent{kTrace, kSpan, 0};
        const TraceContext child = parent.child();
        QCOMPARE(child.traceId, parent.traceId);
        QCOMPARE(child.flags, parent.flags);
        QVERIFY(child.spanId != parent.spanId);
        QVERIFY(isHex(child.spanId, 16));
        const TraceContext grandchild = child.child();
        QCOMPARE(grandchild.traceId, parent.traceId);
        QVERIFY(grandchild.spanId != child.spanId);
        QVERIFY(TraceContext::parse(grandchild.toTraceparent()).has_value());
    }
};

QTEST_GUILESS_MAIN(TestTraceContext)
#include "tst_tracecontext.moc"
