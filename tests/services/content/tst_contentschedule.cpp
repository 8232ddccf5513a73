// SPDX-License-Identifier: MIT
// Proves scheduled publication and withdrawal on an injectable clock: on
// time, not before, only for items the workflow lets be published, by
// editors only, and after a restart that happened while a due time passed.
#include "tests/services/content/contentfixture.h"

using namespace contentfixture;

namespace {

constexpr qint64 kHour = 3'600'000;

} // namespace

class TestContentSchedule final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    colophon::test::ManualClock m_clock;
    QString m_path;
    std::unique_ptr<Replica> m_r;
    Actor m_editor = actor(Role::Editor);
    Actor m_creator = actor(Role::Creator);

    Result<ContentItem> scheduled(qint64 publishAt, qint64 unpublishAt = 0)
    {
        ContentDraft d;
        d.title = QStringLiteral("Scheduled %1").arg(publishAt);
        d.publishAtMs = publishAt;
        d.unpublishAtMs = unpublishAt;
        return m_r->content->create(m_editor, d);
    }

    ContentStatus statusOf(const QString &id)
    {
        return m_r->content->get(m_editor, id).value_or(ContentItem{}).status;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void init()
    {
        static int n = 0;
        m_clock.set(1'750'000'000'000);
        m_path = m_dir.filePath(QStringLiteral("s%1.db").arg(n++));
        m_r = Replica::open(m_path, m_clock);
        QVERIFY(m_r);
    }

    void cleanup() { m_r.reset(); }

    void anItemIsPublishedWhenItsTimeComesNotBefore()
    {
        const qint64 at = m_clock.nowMs() + kHour;
        auto item = scheduled(at);
        QVERIFY2(item, qPrintable(why(item)));
        m_clock.set(at - 1);
        QCOMPARE(m_r->content->runSchedules().value_or(-1), 0);
        QCOMPARE(statusOf(item->id), ContentStatus::Draft);
        m_clock.set(at);
        QCOMPARE(m_r->content->runSchedules().value_or(-1), 1);
        auto published = m_r->content->get(m_editor, item->id);
        QCOMPARE(published->status, ContentStatus::Published);
        QCOMPARE(published->publishedAtMs, at);
        QCOMPARE(published->publishAtMs, qint64(0));            // spent
        QCOMPARE(m_r->content->runSchedules().value_or(-1), 0); // fires once
    }

    void aWithdrawalArchivesAPublishedItem()
    {
        const qint64 start = m_clock.nowMs();
        auto item = scheduled(start + kHour, start + 2 * kHour);
        QVERIFY(item);
        m_clock.set(start + kHour);
        QCOMPARE(m_r->content->runSchedules().value_or(-1), 1);
        m_clock.set(start + 2 * kHour + 5);
        QCOMPARE(m_r->content->runSchedules().value_or(-1), 1);
        QCOMPARE(statusOf(item->id), ContentStatus::Archived);
    }

    void aRestartAcrossTheDueTimeStillPublishes()
    {
        const qint64 at = m_clock.nowMs() + kHour;
        auto item = scheduled(at);
        QVERIFY(item);
        m_r.reset();                 // the process stops...
        m_clock.set(at + 3 * kHour); // ...and the due time passes while it is down
        m_r = Replica::open(m_path, m_clock);
        QVERIFY(m_r);
        QCOMPARE(m_r->content->runSchedules().value_or(-1), 1);
        QCOMPARE(statusOf(item->id), ContentStatus::Published);
    }

    void onlyApprovableItemsArePublished()
    {
        const qint64 at = m_clock.nowMs() + kHour;
        auto item = scheduled(at);
        QVERIFY(item);
        ContentChange archive;
        archive.status = ContentStatus::Archived;
        // Archiving a scheduled item: the schedule no longer applies.
        QVERIFY(m_r->content->update(m_editor, item->id, archive));
        m_clock.set(at);
        QVERIFY(m_r->content->runSchedules());
        QCOMPARE(statusOf(item->id), ContentStatus::Archived);
        QCOMPARE(m_r->content->get(m_editor, item->id)->publishAtMs, qint64(0));
    }

    void onlyEditorsSchedule()
    {
        ContentDraft d;
        d.title = QStringLiteral("Mine");
        d.publishAtMs = m_clock.nowMs() + kHour;
        QCOMPARE(m_r->content->create(m_creator, d).error().code, ErrorCode::PermissionDenied);
        d.publishAtMs = 0;
        auto item = m_r->content->create(m_creator, d);
        QVERIFY(item);
        ContentChange schedule;
        schedule.publishAtMs = m_clock.nowMs() + kHour;
        QCOMPARE(m_r->content->update(m_creator, item->id, schedule).error().code,
                 ErrorCode::PermissionDenied);
        QVERIFY(m_r->content->update(m_editor, item->id, schedule));
        ContentChange onPublished;
        onPublished.status = ContentStatus::Published;
        QVERIFY(m_r->content->update(m_editor, item->id, onPublished));
        ContentChange again;
        again.publishAtMs = m_clock.nowMs() + 2 * kHour;
        QCOMPARE(m_r->content->update(m_editor, item->id, again).error().field,
                 QStringLiteral("publishAt"));
    }
};

QTEST_GUILESS_MAIN(TestContentSchedule)
#include "tst_contentschedule.moc"
