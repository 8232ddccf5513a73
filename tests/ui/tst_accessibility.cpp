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

namespace {

bool isControl(QWidget *w)
{
    return qobject_cast<QAbstractButton *>(w) || qobject_cast<QLineEdit *>(w) ||
           qobject_cast<QComboBox *>(w) || qobject_cast<QAbstractItemView *>(w) ||
           qobject_cast<QPlainTextEdit *>(w) || qobject_cast<QTextEdit *>(w) ||
           qobject_cast<QAbstractSpinBox *>(w);
}

// The controls under root without a readable name, described for the report.
QStringList unnamed(QWidget *root, int &checked)
{
    QSet<QWidget *> buddies;
    for (QLabel *label : root->findChildren<QLabel *>()) {
        if (label->buddy()) {
            buddies.insert(label->buddy());
        }
    }
    QStringList missing;
    for (QWidget *w : root->findChildren<QWidget *>()) {
        if (!isControl(w) || !w->isVisibleTo(root) || !w->focusPolicy()) {
            continue;
        }
        // Parts of a composite control (a combo's line edit, a spin box's
        // editor, a view's scroll bars) are named by the control itself.
        if (qobject_cast<QComboBox *>(w->parentWidget()) ||
            qobject_cast<QAbstractSpinBox *>(w->parentWidget())) {
            continue;
        }
        ++checked;
        const auto *button = qobject_cast<QAbstractButton *>(w);
        const bool named = !w->accessibleName().isEmpty() || buddies.contains(w) ||
                           (button && !button->text().remove(u'&').trimmed().isEmpty());
        if (!named) {
            missing << QStringLiteral("%1 '%2' in %3")
                           .arg(QLatin1String(w->metaObject()->className()), w->objectName(),
                                w->parentWidget() ? w->parentWidget()->objectName() : QString());
        }
    }
    return missing;
}

} // namespace

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
            for (const QString &m : unnamed(window.page(section), checked)) {
                missing << section + QStringLiteral(": ") + m;
            }
        }
        window.showSection(QStringLiteral("content"));
        ContentEditor *editor = window.contentSection()->openItem(item->id);
        QVERIFY(editor);
        QVERIFY(replica.settle());
        QTRY_VERIFY(editor->isLoaded());
        for (const QString &m : unnamed(editor, checked)) {
            missing << QStringLiteral("editor: ") + m;
        }
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QLatin1Char('\n'))));
        // The walk reached the controls (five sections and an editor's worth).
        QVERIFY2(checked > 50, qPrintable(QString::number(checked)));
    }
};

QTEST_MAIN(TestAccessibility)
#include "tst_accessibility.moc"
