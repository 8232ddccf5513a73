// SPDX-License-Identifier: MIT
// The main window: sections by role, shortcuts, the status bar, kept
// settings and the light and dark palettes.
#include "backend/events/eventlog.h"
#include "tests/ui/uifixture.h"
#include "ui/content/contentlistpage.h"
#include "ui/core/consolepage.h"
#include "ui/editor/contenteditor.h"
#include "ui/shell/contentsection.h"
#include "ui/shell/mainwindow.h"

#include <QAction>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSplitter>
#include <QTabWidget>

using namespace colophon;
using namespace colophon::test;

namespace {

QString settingsFile(UiReplica &replica)
{
    return replica.dataDir() + QStringLiteral("/console.ini");
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void eachRoleSeesItsSections()
    {
        UiReplica replica;
        const QStringList common{QStringLiteral("content"), QStringLiteral("taxonomy")};
        replica.signInAs(Role::Creator);
        {
            MainWindow window(replica.gateway(), settingsFile(replica));
            const QStringList expected = common + QStringList{QStringLiteral("account")};
            QCOMPARE(window.sections(), expected);
        }
        replica.signInAs(Role::Editor);
        {
            MainWindow window(replica.gateway(), settingsFile(replica));
            const QStringList expected =
                common + QStringList{QStringLiteral("activity"), QStringLiteral("account")};
            QCOMPARE(window.sections(), expected);
        }
        replica.signInAs(Role::Admin);
        {
            MainWindow window(replica.gateway(), settingsFile(replica));
            const QStringList expected =
                common + QStringList{QStringLiteral("activity"), QStringLiteral("users"),
                                     QStringLiteral("account")};
            QCOMPARE(window.sections(), expected);
        }
    }

    void shortcutsSwitchSectionsFindAndMakeANewItem()
    {
        UiReplica replica;
        replica.signInAs(Role::Creator);
        MainWindow window(replica.gateway(), settingsFile(replica));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(window.currentSection(), QStringLiteral("taxonomy"));
        QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
        QCOMPARE(window.currentSection(), QStringLiteral("content"));

        QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
        auto *search =
            window.contentSection()->list()->findChild<QLineEdit *>(QStringLiteral("searchField"));
        QVERIFY(search);
        QTRY_VERIFY(search->hasFocus());

        QTest::keyClick(&window, Qt::Key_N, Qt::ControlModifier);
        QCOMPARE(window.contentSection()->tabs()->count(), 2);
        QVERIFY(window.contentSection()->currentEditor());
        QVERIFY(window.contentSection()->currentEditor()->itemId().isEmpty());
    }

    void aConsumerCannotMakeItems()
    {
        UiReplica replica;
        replica.signInAs(Role::Consumer);
        MainWindow window(replica.gateway(), settingsFile(replica));
        auto *newItem = window.findChild<QAction *>(QStringLiteral("actionNewItem"));
        QVERIFY(newItem);
        QVERIFY(!newItem->isEnabled());
        window.contentSection()->createNew();
        QCOMPARE(window.contentSection()->tabs()->count(), 1);
    }

    void theStatusBarShowsWhoIsSignedInAndTheReplica()
    {
        UiReplica replica;
        const Actor actor = replica.signInAs(Role::Editor);
        MainWindow window(replica.gateway(), settingsFile(replica));
        QVERIFY(window.userStatus()->text().contains(QStringLiteral("editor")));
        QTRY_VERIFY(window.replicaStatus()->text().contains(QStringLiteral("events")));
        const QString before = window.replicaStatus()->text();
        ContentDraft draft;
        draft.title = QStringLiteral("Counted");
        QVERIFY(replica.content().create(actor, draft));
        // The count follows commits.
        QTRY_VERIFY_WITH_TIMEOUT(window.replicaStatus()->text() != before, 5000);
        QVERIFY(window.replicaStatus()->text().contains(
            replica.host().eventLog()->replicaId().left(8)));
    }

    void sectionSplitterAndThemeAreKept()
    {
        UiReplica replica;
        replica.signInAs(Role::Editor);
        QList<int> sizes;
        QList<int> innerSizes;
        {
            MainWindow window(replica.gateway(), settingsFile(replica));
            window.resize(1000, 700);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.showSection(QStringLiteral("activity"));
            auto *splitter = window.findChild<QSplitter *>(QStringLiteral("mainSplitter"));
            splitter->setSizes({260, 740});
            sizes = splitter->sizes();
            window.setTheme(ThemeMode::Dark);
            // A section's own splitter (the activity list above its details).
            auto *inner = window.page(QStringLiteral("activity"))->findChild<QSplitter *>();
            QVERIFY(inner);
            inner->setSizes({200, 300});
            innerSizes = inner->sizes();
            QVERIFY(window.close());
        }
        MainWindow again(replica.gateway(), settingsFile(replica));
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QCOMPARE(again.currentSection(), QStringLiteral("activity"));
        QCOMPARE(again.findChild<QSplitter *>(QStringLiteral("mainSplitter"))->sizes(), sizes);
        QCOMPARE(again.theme(), ThemeMode::Dark);
        QCOMPARE(again.page(QStringLiteral("activity"))->findChild<QSplitter *>()->sizes(),
                 innerSizes);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 128);
        again.setTheme(ThemeMode::Light);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() >= 128);
    }

    void everyNavigationEntryAndActionHasAName()
    {
        UiReplica replica;
        replica.signInAs(Role::Admin);
        MainWindow window(replica.gateway(), settingsFile(replica));
        for (int i = 0; i < window.navigation()->count(); ++i) {
            QVERIFY(
                !window.navigation()->item(i)->data(Qt::AccessibleTextRole).toString().isEmpty());
        }
        for (const QString &section : window.sections()) {
            QVERIFY2(!window.page(section)->accessibleName().isEmpty(), qPrintable(section));
        }
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
