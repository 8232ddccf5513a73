// SPDX-License-Identifier: MIT
// The content section of the main window: the list of items in the first
// tab and an editor tab per open item, so a creator can keep several
// drafts open and switch between them.
#pragma once

#include "ui/core/consolepage.h"

#include <QHash>

QT_FORWARD_DECLARE_CLASS(QTabWidget)

namespace colophon {

class ServiceGateway;
class ContentListPage;
class ContentEditor;

class ContentSection final : public ConsolePage
{
    Q_OBJECT

public:
    explicit ContentSection(ServiceGateway &gateway, QWidget *parent = nullptr);

    ContentListPage *list() const { return m_list; }
    QTabWidget *tabs() const { return m_tabs; }
    // The open editor of the item, if any.
    ContentEditor *editorFor(const QString &id) const;
    ContentEditor *currentEditor() const;

    void pageShown() override;
    void focusSearch() override;
    void createNew() override;
    void saveCurrent() override;
    bool confirmClose() override;

public slots:
    // Opens (or brings forward) the item's editor.
    ContentEditor *openItem(const QString &id);
    ContentEditor *newItem();
    bool closeEditor(int tabIndex);

private:
    ContentEditor *addEditor(const QString &id);

    ServiceGateway &m_gateway;
    QTabWidget *m_tabs;
    ContentListPage *m_list;
};

} // namespace colophon
