// SPDX-License-Identifier: MIT
// Counted phrases for the taxonomy section ("1 item", "3 items"), spelled
// out for English so they read well without a translation file loaded.
#pragma once

#include <QCoreApplication>
#include <QString>

namespace colophon::taxonomytext {

inline QString items(int n)
{
    return n == 1 ? QCoreApplication::translate("colophon::Taxonomy", "1 item")
                  : QCoreApplication::translate("colophon::Taxonomy", "%1 items").arg(n);
}

inline QString tags(int n)
{
    return n == 1 ? QCoreApplication::translate("colophon::Taxonomy", "1 tag")
                  : QCoreApplication::translate("colophon::Taxonomy", "%1 tags").arg(n);
}

inline QString subcategories(int n)
{
    return n == 1 ? QCoreApplication::translate("colophon::Taxonomy", "1 subcategory")
                  : QCoreApplication::translate("colophon::Taxonomy", "%1 subcategories").arg(n);
}

} // namespace colophon::taxonomytext
