// SPDX-License-Identifier: MIT
// A section of the main window (content, taxonomies, users, ...): a widget
// the window shows in its middle, told when it becomes visible so it can
// refresh, and asked before the window closes.
#pragma once

#include <QWidget>

namespace colophon {

class ConsolePage : public QWidget
{
    Q_OBJECT

public:
    using QWidget::QWidget;

    // The page became the visible section: refresh what may be stale.
    virtual void pageShown() {}
    // Ctrl+F: put the focus in the page's search or filter field.
    virtual void focusSearch() {}
    // Ctrl+N: make a new one of what the page lists (where that means anything).
    virtual void createNew() {}
    // Ctrl+S: save what is being edited.
    virtual void saveCurrent() {}
    // The window is closing: save or ask; false keeps the window open.
    virtual bool confirmClose() { return true; }

protected:
    // For a page's loading: true while the page is hidden, and then the page
    // is refreshed (pageShown) when next shown. Hidden sections read nothing,
    // so start-up reads only what is on screen and workers stay free for it.
    bool hiddenNow()
    {
        if (isVisible()) {
            return false;
        }
        m_refreshWhenShown = true;
        return true;
    }
    void showEvent(QShowEvent *event) override
    {
        QWidget::showEvent(event);
        if (m_refreshWhenShown) {
            m_refreshWhenShown = false;
            pageShown();
        }
    }

private:
    bool m_refreshWhenShown = false;
};

} // namespace colophon
