// SPDX-License-Identifier: MIT
// The activity view over a real replica: an item's history through the
// subject filter, newest first with readable descriptions and names; the kind
// and who filters; older pages loaded by scrolling to the end; new events at
// the top while open; the details pane; and the explanation for roles
// without the log.
#include "backend/events/eventlog.h"
#include "backend/events/uuidv7.h"
#include "tests/ui/uifixture.h"
#include "ui/activity/activitymodel.h"
#include "ui/activity/activitypage.h"
#include "ui/activity/eventdescription.h"
#include "ui/core/messagebar.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSet>
#include <QTableView>

using namespace colophon;
using namespace colophon::test;

namespace {

ContentItem makeItem(UiReplica &replica, const Actor &actor, const QString &title,
                     const QStringList &tags = {})
{
    ContentDraft draft;
    draft.title = title;
    draft.body = QStringLiteral("Some words.");
    draft.tags = tags;
    auto item = replica.content().create(actor, draft);
    if (!item) {
        qFatal("cannot create %s: %s", qPrintable(title), qPrintable(item.error().message));
    }
    return *item;
}

QString cell(const ActivityModel *model, int row, int column)
{
    return model->index(row, column).data().toString();
}

QStringList column(const ActivityModel *model, int role, int col = 0)
{
    QStringList out;
    for (int row = 0; row < model->rowCount(); ++row) {
        out << model->index(row, col).data(role).toString();
    }
    return out;
}

// The rows' sequence numbers, top to bottom.
QList<qint64> seqs(const ActivityModel *model)
{
    QList<qint64> out;
    for (int row = 0; row < model->rowCount(); ++row) {
        out << model->index(row, 0).data(ActivityModel::LocalSeqRole).toLongLong();
    }
    return out;
}

bool strictlyDescending(const QList<qint64> &values)
{
    for (int i = 1; i < values.size(); ++i) {
        if (values[i - 1] <= values[i]) {
            return false;
        }
    }
    return true;
}

} // namespace

class TestActivityPage : public QObject
{
    Q_OBJECT

private:
    // A shown page, its first page read.
    static std::unique_ptr<ActivityPage> openPage(UiReplica &replica)
    {
        auto page = std::make_unique<ActivityPage>(replica.gateway());
        page->resize(1000, 700);
        page->show();
        replica.settle();
        return page;
    }

private slots:
    void theSubjectFilterShowsAnItemsHistoryNewestFirstWithNamesAndDescriptions()
    {
        UiReplica replica;
        // An editor writes; the admin reads the history.
        const Actor author = replica.signInAs(Role::Editor);
        const ContentItem other = makeItem(replica, author, QStringLiteral("Something else"));
        const ContentItem item = makeItem(replica, author, QStringLiteral("Harbour lights"));
        ContentChange edit;
        edit.title = QStringLiteral("Harbour lights at dusk");
        edit.tags = QStringList{QStringLiteral("news")};
        QVERIFY(replica.content().update(author, item.id, edit));
        ContentChange publish;
        publish.status = ContentStatus::Published;
        QVERIFY(replica.content().update(author, item.id, publish));
        (void)makeItem(replica, author, QStringLiteral("Made afterwards"));

        replica.signInAs(Role::Admin);
        auto page = openPage(replica);
        auto *model = page->model();
        auto *subject = page->findChild<QLineEdit *>(QStringLiteral("subjectFilter"));
        auto *table = page->findChild<QTableView *>(QStringLiteral("activityTable"));
        QVERIFY(subject && table);
        QTRY_VERIFY(model->rowCount() > 4);

        QTest::keyClicks(subject, item.id);
        QTest::keyClick(subject, Qt::Key_Return);
        QTRY_COMPARE(model->rowCount(), 4);
        QCOMPARE(
            column(model, ActivityModel::TypeRole),
            (QStringList{QStringLiteral("ContentPublished"), QStringLiteral("ContentStatusChanged"),
                         QStringLiteral("ContentUpdated"), QStringLiteral("ContentCreated")}));
        QVERIFY(strictlyDescending(seqs(model)));
        QCOMPARE(cell(model, 0, ActivityModel::WhatColumn), QStringLiteral("published"));
        QCOMPARE(cell(model, 1, ActivityModel::WhatColumn),
                 QStringLiteral("moved from draft to published"));
        QCOMPARE(cell(model, 2, ActivityModel::WhatColumn),
                 QStringLiteral("changed title, tags (+news)"));
        QCOMPARE(cell(model, 3, ActivityModel::WhatColumn),
                 QStringLiteral("created article \u201CHarbour lights\u201D"));
        // Names arrive from the services in the background.
        for (int row = 0; row < 4; ++row) {
            QTRY_COMPARE(cell(model, row, ActivityModel::WhoColumn), QStringLiteral("Test editor"));
            QTRY_COMPARE(cell(model, row, ActivityModel::SubjectColumn),
                         QStringLiteral("Harbour lights at dusk"));
        }

        // The details pane has the whole record of the clicked event.
        const QModelIndex created = model->index(3, ActivityModel::WhatColumn);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                          table->visualRect(created).center());
        auto *details = page->findChild<QPlainTextEdit *>(QStringLiteral("eventDetails"));
        QVERIFY(details);
        QTRY_VERIFY(details->toPlainText().contains(QStringLiteral("ContentCreated")));
        EventQuery ofItem;
        ofItem.stream = QStringLiteral("content/") + item.id;
        const auto logged = replica.host().eventLog()->query(ofItem);
        QVERIFY(logged && logged->size() == 4);
        const Event &first = logged->back();
        const QString text = details->toPlainText();
        QVERIFY2(text.contains(uuidText(first.id)), qPrintable(text));
        QVERIFY(text.contains(first.hlc.toString()));
        QVERIFY(text.contains(first.replicaId));
        QVERIFY(text.contains(QString::number(first.localSeq)));
        QVERIFY(text.contains(QStringLiteral("\"title\": \"Harbour lights\"")));
        QVERIFY(text.contains(QStringLiteral("Payload:")));

        // Another view asks "what happened to this item?".
        page->showStream(QStringLiteral("content/") + other.id);
        QCOMPARE(subject->text(), QStringLiteral("content/") + other.id);
        QTRY_COMPARE(model->rowCount(), 1);
        QCOMPARE(cell(model, 0, ActivityModel::WhatColumn),
                 QStringLiteral("created article \u201CSomething else\u201D"));

        // Clearing the subject shows everything again.
        auto *clear = page->findChild<QPushButton *>(QStringLiteral("clearFilters"));
        QVERIFY(clear && clear->isEnabled());
        clear->click();
        QTRY_VERIFY(model->rowCount() > 4);
        QVERIFY(subject->text().isEmpty());
        QVERIFY(!clear->isEnabled());
    }

    void theKindAndWhoFiltersNarrowTheRows()
    {
        UiReplica replica;
        const Actor admin = replica.signInAs(Role::Admin);
        const User writer = replica.addUser(QStringLiteral("writer@example.org"), Role::Creator);
        UserChange promote;
        promote.role = Role::Editor;
        QVERIFY(replica.users().updateUser(admin, writer.id, promote));
        (void)makeItem(replica, admin, QStringLiteral("An article"));
        CategoryDraft news;
        news.name = QStringLiteral("News");
        QVERIFY(replica.content().createCategory(admin, news));
        const Actor editor = replica.signIn(QStringLiteral("writer@example.org"));
        (void)makeItem(replica, editor, QStringLiteral("The writer's piece"));
        replica.signIn(QStringLiteral("admin@example.org"));

        auto page = openPage(replica);
        auto *model = page->model();
        auto *kind = page->findChild<QComboBox *>(QStringLiteral("kindFilter"));
        QVERIFY(kind);
        QTRY_VERIFY(model->rowCount() > 5);

        kind->setCurrentIndex(kind->findText(QStringLiteral("Users & sign-ins")));
        QTRY_VERIFY(
            !model->isEmpty() &&
            column(model, ActivityModel::StreamRole).filter(QStringLiteral("user/")).size() ==
                model->rowCount());
        const QStringList what = column(model, Qt::DisplayRole, ActivityModel::WhatColumn);
        QVERIFY2(what.contains(QStringLiteral("signed in")), qPrintable(what.join(u'|')));
        QVERIFY2(what.contains(QStringLiteral("changed role to editor")),
                 qPrintable(what.join(u'|')));
        QVERIFY2(what.contains(QStringLiteral("created account writer@example.org (creator)")),
                 qPrintable(what.join(u'|')));
        QVERIFY(!what.contains(QStringLiteral("created category \u201CNews\u201D")));

        kind->setCurrentIndex(kind->findText(QStringLiteral("Categories")));
        QVERIFY(replica.settle());
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(cell(model, 0, ActivityModel::WhatColumn),
                 QStringLiteral("created category \u201CNews\u201D"));
        QTRY_COMPARE(cell(model, 0, ActivityModel::SubjectColumn), QStringLiteral("News"));

        // Who: an admin picks the person from a list of accounts.
        kind->setCurrentIndex(kind->findText(QStringLiteral("Content")));
        auto *who = page->findChild<QComboBox *>(QStringLiteral("actorFilter"));
        QVERIFY(who);
        QTRY_VERIFY(who->findData(writer.id) >= 0);
        who->setCurrentIndex(who->findData(writer.id));
        QVERIFY(replica.settle());
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(cell(model, 0, ActivityModel::WhatColumn),
                 QStringLiteral("created article \u201CThe writer's piece\u201D"));
        QTRY_COMPARE(cell(model, 0, ActivityModel::WhoColumn), QStringLiteral("Test creator"));
    }

    void scrollingToTheEndLoadsOlderPagesUntilEveryEventIsShownOnce()
    {
        UiReplica replica;
        const Actor admin = replica.signInAs(Role::Admin);
        for (int i = 0; i < 45; ++i) {
            (void)makeItem(replica, admin, QStringLiteral("Item %1").arg(i));
        }
        const qint64 total = replica.host().eventLog()->count().value_or(-1);
        QVERIFY(total > 45);

        auto page = std::make_unique<ActivityPage>(replica.gateway());
        page->setPageSize(10);
        page->resize(1000, 500);
        page->show();
        page->reload();
        QVERIFY(replica.settle());
        auto *model = page->model();
        auto *table = page->findChild<QTableView *>(QStringLiteral("activityTable"));
        QVERIFY(table);
        // A page or two: enough to fill the view, far from everything.
        QTRY_VERIFY(model->rowCount() >= 10);
        QVERIFY(replica.settle());
        QVERIFY2(model->rowCount() < total, qPrintable(QString::number(model->rowCount())));
        QVERIFY(!page->isComplete());

        table->setFocus();
        for (int rounds = 0; model->rowCount() < total && rounds < 50; ++rounds) {
            const int before = model->rowCount();
            QTest::keyClick(table, Qt::Key_End); // to the last row: the list scrolls to its end
            QTRY_VERIFY(model->rowCount() > before || model->rowCount() == total);
        }
        QCOMPARE(qint64(model->rowCount()), total);
        QTRY_VERIFY(page->isComplete());
        const QList<qint64> shown = seqs(model);
        QVERIFY(strictlyDescending(shown)); // newest first, each once
        QCOMPARE(QSet<qint64>(shown.cbegin(), shown.cend()).size(), shown.size());
        // Scrolling further reads nothing more.
        QTest::keyClick(table, Qt::Key_End);
        QVERIFY(replica.settle());
        QCOMPARE(qint64(model->rowCount()), total);
    }

    void newEventsAppearAtTheTopWhileThePageIsOpen()
    {
        UiReplica replica;
        const Actor admin = replica.signInAs(Role::Admin);
        (void)makeItem(replica, admin, QStringLiteral("Before"));
        auto page = openPage(replica);
        auto *model = page->model();
        QTRY_VERIFY(!model->isEmpty());
        const int before = model->rowCount();
        const qint64 newest = model->newestSeq();

        const ContentItem fresh = makeItem(replica, admin, QStringLiteral("Fresh off the press"));
        QTRY_COMPARE(model->rowCount(), before + 1);
        QCOMPARE(cell(model, 0, ActivityModel::WhatColumn),
                 QStringLiteral("created article \u201CFresh off the press\u201D"));
        QTRY_COMPARE(cell(model, 0, ActivityModel::SubjectColumn),
                     QStringLiteral("Fresh off the press"));
        QVERIFY(model->newestSeq() > newest);

        // A burst becomes rows at the top, each once, in order.
        for (int i = 0; i < 5; ++i) {
            ContentChange change;
            change.title = QStringLiteral("Fresh, take %1").arg(i);
            QVERIFY(replica.content().update(admin, fresh.id, change));
        }
        QTRY_COMPARE(model->rowCount(), before + 6);
        QVERIFY(strictlyDescending(seqs(model)));
        QCOMPARE(cell(model, 0, ActivityModel::WhatColumn), QStringLiteral("changed title"));
        // The renamed item's new title replaces the old one.
        QTRY_COMPARE(cell(model, 5, ActivityModel::SubjectColumn), QStringLiteral("Fresh, take 4"));
    }

    void anEditorSeesTheLogWithYouForTheirOwnChanges()
    {
        UiReplica replica;
        const Actor admin = replica.signInAs(Role::Admin);
        (void)makeItem(replica, admin, QStringLiteral("By the admin"));
        const Actor editor = replica.signInAs(Role::Editor);
        (void)makeItem(replica, editor, QStringLiteral("By the editor"));

        auto page = openPage(replica);
        auto *model = page->model();
        auto *kind = page->findChild<QComboBox *>(QStringLiteral("kindFilter"));
        kind->setCurrentIndex(kind->findText(QStringLiteral("Content")));
        QTRY_COMPARE(model->rowCount(), 2);
        QCOMPARE(cell(model, 0, ActivityModel::WhoColumn), QStringLiteral("you"));
        // Staff see each other's names (UserService::displayNames).
        QTRY_COMPARE(cell(model, 1, ActivityModel::WhoColumn), QStringLiteral("Test admin"));

        // Editors type or pick "Me": they cannot list accounts.
        auto *who = page->findChild<QComboBox *>(QStringLiteral("actorFilter"));
        QVERIFY(who && who->isEditable());
        who->lineEdit()->clear();
        QTest::keyClicks(who->lineEdit(), admin.userId);
        QTest::keyClick(who->lineEdit(), Qt::Key_Return);
        QTRY_COMPARE(model->rowCount(), 1);
        QCOMPARE(cell(model, 0, ActivityModel::WhatColumn),
                 QStringLiteral("created article \u201CBy the admin\u201D"));
    }

    void anImpossibleDayRangeIsExplainedNextToTheFilters()
    {
        UiReplica replica;
        replica.signInAs(Role::Admin);
        auto page = openPage(replica);
        auto *model = page->model();
        QTRY_VERIFY(!model->isEmpty());
        auto *since = page->findChild<QDateEdit *>(QStringLiteral("sinceFilter"));
        auto *until = page->findChild<QDateEdit *>(QStringLiteral("untilFilter"));
        auto *sinceOn = page->findChild<QCheckBox *>(QStringLiteral("sinceEnabled"));
        auto *untilOn = page->findChild<QCheckBox *>(QStringLiteral("untilEnabled"));
        auto *bar = page->findChild<MessageBar *>(QStringLiteral("messageBar"));
        QVERIFY(since && until && sinceOn && untilOn && bar);
        QVERIFY(!since->isEnabled());

        // Today only: everything made in this test.
        const int all = model->rowCount();
        sinceOn->click();
        untilOn->click();
        since->setDate(QDate::currentDate());
        until->setDate(QDate::currentDate());
        QVERIFY(replica.settle());
        QTRY_COMPARE(model->rowCount(), all);
        // Yesterday only: nothing.
        since->setDate(QDate::currentDate().addDays(-1));
        until->setDate(QDate::currentDate().addDays(-1));
        QTRY_VERIFY(model->isEmpty());
        QVERIFY(replica.settle());
        QVERIFY(!bar->isVisible());
        // To before From: said so, beside the filters.
        since->setDate(QDate::currentDate());
        QTRY_VERIFY(bar->isVisible());
        QVERIFY(bar->text().contains(QStringLiteral("before")));
        QCOMPARE(model->rowCount(), 0);
        untilOn->click();
        QTRY_COMPARE(model->rowCount(), all);
        QVERIFY(!bar->isVisible());
    }

    void aCreatorSeesAnExplanationAndNoTable()
    {
        UiReplica replica;
        replica.signInAs(Role::Creator);
        auto page = openPage(replica);
        auto *table = page->findChild<QTableView *>(QStringLiteral("activityTable"));
        auto *explanation = page->findChild<QLabel *>(QStringLiteral("activityExplanation"));
        QVERIFY(table && explanation);
        QVERIFY(!table->isVisible());
        QVERIFY(explanation->isVisible());
        QVERIFY(explanation->text().contains(QStringLiteral("editors and administrators")));
        QVERIFY(page->model()->isEmpty());
        // Signing in as an admin opens the log in place.
        replica.signInAs(Role::Admin);
        QTRY_VERIFY(table->isVisible());
        QTRY_VERIFY(!page->model()->isEmpty());
        QVERIFY(!explanation->isVisible());
    }
};

QTEST_MAIN(TestActivityPage)
#include "tst_activitypage.moc"
