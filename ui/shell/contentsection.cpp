// SPDX-License-Identifier: MIT
#include "ui/shell/contentsection.h"

#include "ui/content/contentlistpage.h"
#include "ui/core/servicegateway.h"
#include "ui/editor/contenteditor.h"

#include <QTabBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace colophon {

ContentSection::ContentSection(ServiceGateway &gateway, QWidget *parent)
    : ConsolePage(parent), m_gateway(gateway), m_tabs(new QTabWidget(this)),
      m_list(new ContentListPage(gateway, m_tabs))
{
    setObjectName(QStringLiteral("contentSection"));
    m_tabs->setObjectName(QStringLiteral("contentTabs"));
    m_tabs->setAccessibleName(tr("Open items"));
    m_tabs->setDocumentMode(true);
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    m_tabs->addTab(m_list, tr("All items"));
    // The list cannot be closed.
    m_tabs->tabBar()->setTabButton(0, QTabBar::RightSide, nullptr);
    m_tabs->tabBar()->setTabButton(0, QTabBar::LeftSide, nullptr);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);

    connect(m_list, &ContentListPage::openRequested, this, &ContentSection::openItem);
    connect(m_list, &ContentListPage::newRequested, this, &ContentSection::newItem);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &ContentSection::closeEditor);
}

ContentEditor *ContentSection::editorFor(const QString &id) const
{
    for (int i = 1; i < m_tabs->count(); ++i) {
        auto *editor = qobject_cast<ContentEditor *>(m_tabs->widget(i));
        if (editor && !id.isEmpty() && editor->itemId() == id) {
            return editor;
        }
    }
    return nullptr;
}

ContentEditor *ContentSection::currentEditor() const
{
    return qobject_cast<ContentEditor *>(m_tabs->currentWidget());
}

ContentEditor *ContentSection::openItem(const QString &id)
{
    if (auto *open = editorFor(id)) {
        m_tabs->setCurrentWidget(open);
        return open;
    }
    return addEditor(id);
}

ContentEditor *ContentSection::newItem()
{
    if (!m_gateway.may(Action::ContentCreate)) {
        return nullptr;
    }
    return addEditor({});
}

ContentEditor *ContentSection::addEditor(const QString &id)
{
    auto *editor = new ContentEditor(m_gateway, id, m_tabs);
    const int index = m_tabs->addTab(editor, id.isEmpty() ? tr("New item") : tr("Loading…"));
    m_tabs->setCurrentIndex(index);
    connect(editor, &ContentEditor::titleChanged, this, [this, editor](const QString &title) {
        const int at = m_tabs->indexOf(editor);
        if (at > 0) {
            m_tabs->setTabText(at, title.isEmpty() ? tr("Untitled") : title);
            m_tabs->setTabToolTip(at, title);
        }
    });
    return editor;
}

bool ContentSection::closeEditor(int tabIndex)
{
    auto *editor = qobject_cast<ContentEditor *>(m_tabs->widget(tabIndex));
    if (!editor) {
        return false;
    }
    if (!editor->maybeClose()) {
        return false;
    }
    m_tabs->removeTab(m_tabs->indexOf(editor));
    editor->deleteLater();
    return true;
}

void ContentSection::pageShown()
{
    m_list->pageShown();
}

void ContentSection::focusSearch()
{
    m_tabs->setCurrentWidget(m_list);
    m_list->focusSearch();
}

void ContentSection::createNew()
{
    newItem();
}

void ContentSection::saveCurrent()
{
    if (auto *editor = currentEditor()) {
        editor->save();
    }
}

bool ContentSection::confirmClose()
{
    for (int i = m_tabs->count() - 1; i >= 1; --i) {
        auto *editor = qobject_cast<ContentEditor *>(m_tabs->widget(i));
        if (editor) {
            m_tabs->setCurrentWidget(editor);
            if (!editor->maybeClose()) {
                return false;
            }
        }
    }
    return true;
}

} // namespace colophon
