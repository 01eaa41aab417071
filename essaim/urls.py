from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog

from essaim.api.api import api
from essaim.core import views as core_views
from essaim.core.metrics import metrics_view
from essaim.credentials import urls as credentials_urls

handler400 = "essaim.core.views.error_400"
handler403 = "essaim.core.views.error_403"
handler404 = "essaim.core.views.error_404"
handler500 = "essaim.core.views.error_500"

_pages = [
    (
        "accessibilite/",
        "footer-accessibility-status",
        "core/pages/accessibility.html",
        _("Déclaration d’accessibilité"),
    ),
    ("mentions-legales/", "footer-legal-notice", "core/pages/legal_notice.html", _("Mentions légales")),
    (
        "donnees-personnelles/",
        "footer-personal-data",
        "core/pages/personal_data.html",
        _("Données personnelles"),
    ),
    ("plan-du-site/", "footer-sitemap", "core/pages/sitemap.html", _("Plan du site")),
    ("cookies/", "footer-cookie-management", "core/pages/cookies.html", _("Gestion des cookies")),
]

urlpatterns = [
    path("", include("essaim.core.urls")),
    *[
        path(route, core_views.static_page, {"template": template, "title": title}, name=name)
        for route, name, template, title in _pages
    ],
    path("", include("essaim.accounts.urls")),
    path("organisations/", include("essaim.organisations.urls")),
    path("referentiel/", include("essaim.framework.urls")),
    path("formations/", include("essaim.catalogue.urls")),
    path("sessions/", include("essaim.training.urls")),
    path("pilotage/sessions/", include("essaim.training.backoffice_urls")),
    path("reseau/", include("essaim.network.urls")),
    path("pratique/", include("essaim.practice.urls")),
    path("metrics", metrics_view, name="metrics"),
    path("attestations/", include("essaim.credentials.urls")),
    path("mon-parcours/", include(credentials_urls.record_urlpatterns)),
    path("ressources/", include("essaim.library.urls")),
    path("enquetes/", include("essaim.surveys.urls")),
    path("evenements/", include("essaim.events.urls")),
    path("partenaires/", include("essaim.events.partner_urls")),
    path("pilotage/evenements/", include("essaim.events.backoffice_urls")),
    path("", include("essaim.reporting.urls")),
    path("", include("essaim.delegation.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Essaim — administration technique"
admin.site.site_title = "Essaim"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
