// SPDX-License-Identifier: MIT
// Every control a person can reach in the console has a name assistive
// technology can read: an accessible name, its own text, or a label whose
// buddy it is. Walks every section of an admin's window and an open editor.
#include "tests/ui/uifixture.h"
#include "ui/core/consolepage.h"
#include "ui/editor/contenteditor.h"
#include "ui/shell/contentsection.h"
#include "ui/shell/mainwindow.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSet>
#include <QTextEdit>

using namespace colophon;
using namespace colophon::test;

class TestAccessibility : public QObject
{
    Q_OBJECT

private slots:
    void everyControlOfEverySectionHasAName()
    {
        UiReplica replica;
        const Actor admin = replica.signInAs(Role::Admin);
        ContentDraft draft;
        draft.title = QStringLiteral("Named things");
        auto item = replica.content().create(admin, draft);
        QVERIFY(item);
        MainWindow window(replica.gateway(), replica.dataDir() + QStringLiteral("/console.ini"));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QStringList missing;
        int checked = 0;
        for (const QString &section : window.sections()) {
            window.showSection(section);
            QVERIFY(replica.settle());
            QTest::qWait(50);
            for (const QString &m : unnamed(window.page(section), &checked)) {
                missing << section + QStringLiteral(": ") + m;
            }
        }
        window.showSection(QStringLiteral("content"));
        ContentEditor *editor = window.contentSection()->openItem(item->id);
        QVERIFY(editor);
        QVERIFY(replica.settle());
        QTRY_VERIFY(editor->isLoaded());
        for (const QString &m : unnamed(editor, &checked)) {
            missing << QStringLiteral("editor: ") + m;
        }
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QLatin1Char('\n'))));
        // The walk reached the controls (five sections and an editor's worth).
        QVERIFY2(checked > 50, qPrintable(QString::number(checked)));
    }
};

QTEST_MAIN(TestAccessibility)
#include "tst_accessibility.moc"
