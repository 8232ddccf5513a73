// SPDX-License-Identifier: MIT
// The console's asynchronous facade: work runs off the UI thread, results come
// back on it, a destroyed receiver gets nothing, and committed events reach
// the UI thread.
#include "tests/ui/uifixture.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QThread>

using namespace colophon;
using namespace colophon::test;

class TestServiceGateway : public QObject
{
    Q_OBJECT

private slots:
    void workRunsOffTheUiThreadAndAnswersOnIt()
    {
        UiReplica replica;
        QThread *uiThread = QThread::currentThread();
        QThread *workThread = nullptr;
        QThread *doneThread = nullptr;
        int answer = 0;
        QObject context;
        replica.gateway().run(
            &context,
            [&] {
                workThread = QThread::currentThread();
                return 42;
            },
            [&](int value) {
                doneThread = QThread::currentThread();
                answer = value;
            });
        QVERIFY(replica.settle());
        QCOMPARE(answer, 42);
        QVERIFY(workThread != nullptr && workThread != uiThread);
        QCOMPARE(doneThread, uiThread);
    }

    void aDestroyedReceiverGetsNoResult()
    {
        UiReplica replica;
        bool called = false;
        auto *context = new QObject;
        replica.gateway().run(
            context,
            [] {
                QThread::msleep(50);
                return 1;
            },
            [&](int) { called = true; });
        delete context;
        QVERIFY(replica.settle());
        QVERIFY(!called);
        QCOMPARE(replica.gateway().pending(), 0);
    }

    void busyIsSignalledAroundWork()
    {
        UiReplica replica;
        QSignalSpy busy(&replica.gateway(), &ServiceGateway::busyChanged);
        QObject context;
        for (int i = 0; i < 5; ++i) {
            replica.gateway().run(
                &context, [] { return true; }, [](bool) {});
        }
        QVERIFY(replica.settle());
        QCOMPARE(busy.count(), 2);
        QCOMPARE(busy.at(0).at(0).toBool(), true);
        QCOMPARE(busy.at(1).at(0).toBool(), false);
    }

    void serviceCallsUseTheirOwnConnectionsAndCommittedEventsArrive()
    {
        UiReplica replica;
        const Actor actor = replica.signInAs(Role::Creator);
        QSignalSpy events(&replica.gateway(), &ServiceGateway::eventCommitted);
        QString madeId;
        QObject context;
        replica.gateway().run(
            &context,
            [&gateway = replica.gateway(), actor] {
                ContentDraft draft;
                draft.title = QStringLiteral("Off the UI thread");
                return gateway.content().create(actor, draft);
            },
            [&](Result<ContentItem> item) {
                QVERIFY(item);
                madeId = item->id;
            });
        QVERIFY(replica.settle());
        QVERIFY(!madeId.isEmpty());
        QTRY_VERIFY(!events.isEmpty());
        bool seen = false;
        for (const auto &args : events) {
            const auto event = args.at(0).value<Event>();
            seen = seen || event.stream == QStringLiteral("content/") + madeId;
        }
        QVERIFY(seen);
        // The UI thread reads what the worker wrote.
        QVERIFY(replica.content().get(actor, madeId));
    }

    void theSchedulerPublishesDueItemsOffTheUiThread()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        ContentDraft draft;
        draft.title = QStringLiteral("Due now");
        draft.publishAtMs = QDateTime::currentMSecsSinceEpoch() + 300;
        auto item = replica.content().create(editor, draft);
        QVERIFY(item);
        QCOMPARE(item->status, ContentStatus::Draft);
        replica.gateway().startScheduler(100);
        QTRY_COMPARE_WITH_TIMEOUT(replica.content().get(editor, item->id)->status,
                                  ContentStatus::Published, 5000);
    }

    void anAdminsChangeToTheSignedInAccountAppliesAtOnce()
    {
        UiReplica replica;
        const Actor admin = replica.signInAs(Role::Admin);
        const User writer = replica.addUser(QStringLiteral("writer@example.org"), Role::Creator);
        replica.signIn(QStringLiteral("writer@example.org"));
        QVERIFY(!replica.gateway().may(Action::ContentPublish));

        UserChange promote;
        promote.role = Role::Editor;
        QVERIFY(replica.users().updateUser(admin, writer.id, promote));
        QTRY_VERIFY(replica.gateway().may(Action::ContentPublish));
        QCOMPARE(replica.gateway().user().role, Role::Editor);

        UserChange suspend;
        suspend.status = QStringLiteral("suspended");
        QVERIFY(replica.users().updateUser(admin, writer.id, suspend));
        QTRY_VERIFY(!replica.gateway().isSignedIn());
    }

    void mayFollowsTheSignedInRole()
    {
        UiReplica replica;
        QVERIFY(!replica.gateway().may(Action::ContentRead));
        replica.signInAs(Role::Creator);
        QVERIFY(replica.gateway().may(Action::ContentCreate));
        QVERIFY(!replica.gateway().may(Action::ContentPublish));
        replica.signInAs(Role::Editor);
        QVERIFY(replica.gateway().may(Action::ContentPublish));
        QVERIFY(!replica.gateway().may(Action::UserList));
        replica.gateway().signOut();
        QVERIFY(!replica.gateway().isSignedIn());
    }
};

QTEST_MAIN(TestServiceGateway)
#include "tst_servicegateway.moc"
