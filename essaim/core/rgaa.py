"""The RGAA 4.1 self-assessment published on /accessibilite/: the 106 criteria of the
method, each applicable or not, conform or not, with its evidence, on the sample of pages
below (the « échantillon » of the official method). A self-assessment by the team that
builds the service, helped by the automated checks of the test suite (axe-core,
HTML_CodeSniffer through pa11y, the design sweep, the keyboard walk): not an independent
audit. Change a status here when a page changes; the page and the rate follow."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

C, NC, NA = "C", "NC", "NA"

#: The sample of pages (RGAA method: home, contact/help, legal pages, the service's main
#: tasks, a document, the accessibility page…), by URL name as in KEY_PAGES.
SAMPLE: tuple[tuple[str | Promise, str], ...] = (
    (_("Accueil"), "/"),
    (_("Connexion"), "/connexion/"),
    (_("Parcours de formation"), "/formations/"),
    (_("Sessions de formation (recherche)"), "/sessions/"),
    (_("Page d’une session et inscription"), "/sessions/<id>/"),
    (_("Mes inscriptions"), "/sessions/mes-inscriptions/"),
    (_("Recherche de ressources"), "/ressources/"),
    (_("Fiche d’une ressource"), "/ressources/<id>/"),
    (_("Proposer une ressource (formulaire)"), "/ressources/proposer/"),
    (_("Tableau de bord public"), "/tableau-de-bord/"),
    (_("Pilotage d’une session"), "/pilotage/sessions/<id>/"),
    (_("Feuille de présence"), "/pilotage/sessions/<id>/presence/"),
    (_("Plan du site"), "/plan-du-site/"),
    (_("Déclaration d’accessibilité"), "/accessibilite/"),
)


@dataclass(frozen=True, slots=True)
class Criterion:
    number: str
    title: str | Promise
    status: str
    evidence: str | Promise


_AUTO = _("Vérifié par axe-core et HTML_CodeSniffer sur toutes les pages de l’échantillon.")
_NO_MEDIA = _("Aucun média temporel (son, vidéo) n’est publié : les replays sont des liens vers d’autres sites.")
_NO_FRAME = _("Le service n’utilise aucun cadre (iframe).")

CRITERIA: tuple[Criterion, ...] = (
    # 1. Images
    Criterion("1.1", _("Chaque image porteuse d’information a une alternative textuelle"), C, _AUTO),
    Criterion(
        "1.2",
        _("Chaque image de décoration est ignorée des technologies d’assistance"),
        C,
        _("Les icônes du DSFR sont des images de fond CSS, sans texte de remplacement."),
    ),
    Criterion(
        "1.3",
        _("L’alternative de chaque image porteuse d’information est pertinente"),
        C,
        _("Logo « République française » en texte ; le code QR de pointage est accompagné de son lien."),
    ),
    Criterion("1.4", _("Image-test (CAPTCHA) : l’alternative en décrit la nature"), NA, _("Pas de CAPTCHA.")),
    Criterion("1.5", _("Image-test (CAPTCHA) : une solution d’accès alternative existe"), NA, _("Pas de CAPTCHA.")),
    Criterion(
        "1.6",
        _("Chaque image porteuse d’information a, si nécessaire, une description détaillée"),
        C,
        _("Chaque graphique du tableau de bord est suivi du tableau de ses données."),
    ),
    Criterion(
        "1.7",
        _("Chaque description détaillée est pertinente"),
        C,
        _("Les tableaux de données reprennent toutes les valeurs des graphiques."),
    ),
    Criterion(
        "1.8",
        _("Chaque image texte porteuse d’information est remplacée par du texte stylé"),
        NA,
        _("Aucune image texte."),
    ),
    Criterion("1.9", _("Chaque légende d’image est correctement reliée à l’image"), NA, _("Aucune image légendée.")),
    # 2. Cadres
    Criterion("2.1", _("Chaque cadre a un titre de cadre"), NA, _NO_FRAME),
    Criterion("2.2", _("Le titre de chaque cadre est pertinent"), NA, _NO_FRAME),
    # 3. Couleurs
    Criterion(
        "3.1",
        _("L’information n’est pas donnée uniquement par la couleur"),
        C,
        _("Les statuts (badges) sont écrits ; les liens sont soulignés."),
    ),
    Criterion(
        "3.2",
        _("Le contraste entre le texte et son arrière-plan est suffisant"),
        C,
        _("Couleurs du DSFR ; règle color-contrast d’axe-core sans erreur."),
    ),
    Criterion(
        "3.3",
        _("Les couleurs des composants d’interface et des éléments graphiques sont contrastées"),
        C,
        _("Chaque champ de formulaire a un bord visible : le parcours de conception le vérifie page par page."),
    ),
    # 4. Multimédia
    *(
        Criterion(f"4.{n}", title, NA, _NO_MEDIA)
        for n, title in enumerate(
            (
                _("Chaque média temporel pré-enregistré a une transcription ou une audiodescription"),
                _("La transcription ou l’audiodescription est pertinente"),
                _("Chaque média temporel synchronisé a des sous-titres synchronisés"),
                _("Les sous-titres synchronisés sont pertinents"),
                _("Chaque média temporel pré-enregistré a une audiodescription synchronisée"),
                _("L’audiodescription synchronisée est pertinente"),
                _("Chaque média temporel est clairement identifiable"),
                _("Chaque média non temporel a une alternative"),
                _("L’alternative de chaque média non temporel est pertinente"),
                _("Chaque son déclenché automatiquement est contrôlable"),
                _("La consultation de chaque média temporel est contrôlable au clavier"),
                _("La consultation de chaque média non temporel est contrôlable au clavier"),
                _("Chaque média temporel et non temporel est compatible avec les technologies d’assistance"),
            ),
            start=1,
        )
    ),
    # 5. Tableaux
    Criterion("5.1", _("Chaque tableau de données complexe a un résumé"), NA, _("Aucun tableau complexe.")),
    Criterion("5.2", _("Le résumé de chaque tableau complexe est pertinent"), NA, _("Aucun tableau complexe.")),
    Criterion(
        "5.3",
        _("Chaque tableau de mise en forme reste compréhensible linéarisé"),
        NA,
        _("Aucun tableau de mise en forme."),
    ),
    Criterion("5.4", _("Chaque tableau de données a un titre correctement associé"), C, _("Balise caption.")),
    Criterion(
        "5.5",
        _("Le titre de chaque tableau de données est pertinent"),
        C,
        _("Chaque caption dit ce que le tableau liste."),
    ),
    Criterion("5.6", _("Les en-têtes de lignes et de colonnes sont déclarés"), C, _("Balises th.")),
    Criterion(
        "5.7",
        _("Chaque cellule est associée à ses en-têtes"),
        NC,
        _(
            "Sur téléphone, les tableaux des sessions et de « Mes inscriptions » s’affichent en cartes : "
            "certains lecteurs d’écran n’y annoncent plus les en-têtes de colonnes."
        ),
    ),
    Criterion(
        "5.8",
        _("Aucun tableau de mise en forme n’utilise d’éléments propres aux tableaux de données"),
        NA,
        _("Aucun tableau de mise en forme."),
    ),
    # 6. Liens
    Criterion(
        "6.1",
        _("Chaque lien est explicite"),
        C,
        _("Intitulés explicites ou explicités par leur contexte (ligne de tableau, titre de carte)."),
    ),
    Criterion("6.2", _("Chaque lien a un intitulé"), C, _AUTO),
    # 7. Scripts
    Criterion(
        "7.1",
        _("Chaque script est compatible avec les technologies d’assistance"),
        C,
        _("Composants du DSFR (menu, modales, onglets) et htmx, qui remplace des fragments de page."),
    ),
    Criterion(
        "7.2",
        _("Chaque script a une alternative pertinente"),
        C,
        _("Tous les formulaires fonctionnent sans JavaScript."),
    ),
    Criterion(
        "7.3",
        _("Chaque script est contrôlable au clavier et par tout dispositif de pointage"),
        C,
        _("Parcours au seul clavier testé (menu, filtres, inscription, annulation, recherche)."),
    ),
    Criterion(
        "7.4",
        _("Chaque changement de contexte est annoncé ou contrôlé par l’utilisateur"),
        C,
        _("Aucun changement de contexte sans validation."),
    ),
    Criterion(
        "7.5",
        _("Les messages de statut sont restitués par les technologies d’assistance"),
        C,
        _('Messages et compteurs de résultats en role="status".'),
    ),
    # 8. Éléments obligatoires
    Criterion("8.1", _("Chaque page a un type de document"), C, _("<!DOCTYPE html>.")),
    Criterion(
        "8.2",
        _("Le code source de chaque page est valide"),
        NC,
        _("Ids uniques vérifiés sur chaque page ; pas encore de validation complète par le validateur du W3C."),
    ),
    Criterion("8.3", _("La langue par défaut est présente"), C, _("Attribut lang sur html.")),
    Criterion("8.4", _("Le code de langue est pertinent"), C, _("Français par défaut, anglais sur choix.")),
    Criterion("8.5", _("Chaque page a un titre"), C, _AUTO),
    Criterion(
        "8.6",
        _("Le titre de chaque page est pertinent"),
        C,
        _("« Erreur – » en tête du titre quand un formulaire est renvoyé avec des erreurs."),
    ),
    Criterion(
        "8.7",
        _("Chaque changement de langue est indiqué"),
        C,
        _(
            "Marqué sur les pages en anglais : ressources, parcours, accueil, titres de sessions, de "
            "formations et d’événements."
        ),
    ),
    Criterion(
        "8.8", _("Le code de langue de chaque changement de langue est valide et pertinent"), C, _("Codes fr et en.")
    ),
    Criterion("8.9", _("Les balises ne sont pas utilisées uniquement à des fins de présentation"), C, _AUTO),
    Criterion("8.10", _("Les changements du sens de lecture sont signalés"), NA, _("Aucun texte de droite à gauche.")),
    # 9. Structuration
    Criterion("9.1", _("L’information est structurée par des titres"), C, _("Un h1 par page, titres hiérarchisés.")),
    Criterion("9.2", _("La structure du document est cohérente"), C, _("En-tête, navigation, main, pied de page.")),
    Criterion("9.3", _("Chaque liste est correctement structurée"), C, _("ul, ol, dl.")),
    Criterion("9.4", _("Chaque citation est correctement indiquée"), NA, _("Aucune citation.")),
    # 10. Présentation
    Criterion("10.1", _("Les feuilles de style servent à la présentation"), C, _("Aucun attribut de présentation.")),
    Criterion("10.2", _("Le contenu visible reste présent sans feuilles de style"), C, _("Contenu dans le HTML.")),
    Criterion(
        "10.3", _("L’information reste compréhensible sans feuilles de style"), C, _("Ordre du code = ordre visuel.")
    ),
    Criterion("10.4", _("Le texte reste lisible agrandi à 200 %"), C, _("Tailles en rem du DSFR.")),
    Criterion("10.5", _("Couleurs de fond et de texte déclarées ensemble"), C, _("Thème du DSFR.")),
    Criterion(
        "10.6",
        _("Chaque lien dont la nature n’est pas évidente est visible par rapport au texte"),
        C,
        _("Liens soulignés."),
    ),
    Criterion("10.7", _("Le focus est visible"), C, _("Parcours au clavier : le focus reste visible.")),
    Criterion("10.8", _("Les contenus cachés sont ignorés des technologies d’assistance"), C, _AUTO),
    Criterion(
        "10.9",
        _("L’information n’est pas donnée uniquement par la forme, la taille ou la position"),
        C,
        _("Textes explicites."),
    ),
    Criterion("10.10", _("Idem, de manière pertinente"), C, _("Textes explicites.")),
    Criterion(
        "10.11",
        _("Le contenu se lit sans défilement horizontal à 320 px de large"),
        C,
        _(
            "Aucun défilement horizontal à 375 px sur les pages clés (vérifié) ; tableaux en cartes ou "
            "dans un cadre défilant atteignable au clavier."
        ),
    ),
    Criterion(
        "10.12",
        _("Les propriétés d’espacement du texte peuvent être redéfinies"),
        NC,
        _("Pas encore testé avec un espacement de texte augmenté."),
    ),
    Criterion(
        "10.13",
        _("Les contenus additionnels au survol ou au focus sont contrôlables"),
        C,
        _("Sous-menus du DSFR, ouverts au clic et refermables."),
    ),
    Criterion(
        "10.14",
        _("Les contenus additionnels révélés par CSS le sont aussi au clavier"),
        C,
        _("Aucun contenu révélé au seul survol."),
    ),
    # 11. Formulaires
    Criterion(
        "11.1",
        _("Chaque champ de formulaire a une étiquette"),
        C,
        _("Un seul gabarit de formulaire (DSFR) pour tous les formulaires du site."),
    ),
    Criterion("11.2", _("Chaque étiquette est pertinente"), C, _("Étiquettes explicites, aides sous l’étiquette.")),
    Criterion("11.3", _("Étiquettes cohérentes d’une page à l’autre"), C, _("Gabarit commun.")),
    Criterion("11.4", _("Chaque étiquette et son champ sont accolés"), C, _("Étiquette au-dessus du champ.")),
    Criterion("11.5", _("Les champs de même nature sont regroupés"), C, _("fieldset pour les boutons radio et cases.")),
    Criterion("11.6", _("Chaque regroupement a une légende"), C, _("legend.")),
    Criterion("11.7", _("Chaque légende est pertinente"), C, _("Légende = question posée.")),
    Criterion(
        "11.8",
        _("Les items de même nature d’une liste de choix sont regroupés"),
        C,
        _("Listes courtes, sans groupes nécessaires."),
    ),
    Criterion(
        "11.9",
        _("L’intitulé de chaque bouton est pertinent"),
        C,
        _("Boutons avec texte visible ; le parcours de conception refuse les boutons réduits à une icône."),
    ),
    Criterion(
        "11.10",
        _("Le contrôle de saisie est pertinent"),
        C,
        _(
            "Champs facultatifs signalés ; résumé des erreurs en tête, qui prend le focus, avec un lien "
            "vers chaque champ ; chaque erreur aussi sous son champ."
        ),
    ),
    Criterion(
        "11.11",
        _("Le contrôle de saisie est accompagné de suggestions"),
        C,
        _("Chaque message dit quoi corriger (format attendu, motif manquant)."),
    ),
    Criterion(
        "11.12",
        _("Les données à caractère financier, juridique ou personnel sont modifiables, vérifiables ou confirmées"),
        C,
        _("L’effacement des données personnelles demande une confirmation."),
    ),
    Criterion(
        "11.13",
        _("La finalité d’un champ de saisie peut être déduite"),
        NC,
        _("autocomplete sur la connexion ; pas encore sur les nom et prénom du compte."),
    ),
    # 12. Navigation
    Criterion("12.1", _("Au moins deux systèmes de navigation"), C, _("Menu et plan du site.")),
    Criterion("12.2", _("Menu et plan du site au même endroit sur chaque page"), C, _("Gabarit commun.")),
    Criterion("12.3", _("Le plan du site est pertinent"), C, _("Construit à partir du menu : toutes ses pages.")),
    Criterion("12.4", _("Le plan du site est atteignable de manière identique"), C, _("Pied de page.")),
    Criterion(
        "12.5",
        _("Le moteur de recherche est atteignable de manière identique"),
        NA,
        _("Pas de moteur de recherche global (recherches propres aux ressources et aux sessions)."),
    ),
    Criterion(
        "12.6",
        _("Les zones de regroupement de contenus sont identifiables"),
        C,
        _("Landmarks header, nav, main, footer."),
    ),
    Criterion("12.7", _("Un lien d’évitement vers le contenu existe"), C, _("Liens d’évitement du DSFR.")),
    Criterion("12.8", _("L’ordre de tabulation est cohérent"), C, _("Parcours au clavier.")),
    Criterion("12.9", _("La navigation ne contient pas de piège au clavier"), C, _("Parcours au clavier.")),
    Criterion("12.10", _("Les raccourcis clavier à une touche sont contrôlables"), NA, _("Aucun raccourci.")),
    Criterion("12.11", _("Les contenus additionnels sont atteignables au clavier"), C, _("Sous-menus au clavier.")),
    # 13. Consultation
    Criterion(
        "13.1",
        _("L’utilisateur contrôle chaque limite de temps"),
        C,
        _("Aucune limite de temps sur les pages ; l’échéance d’une place proposée est annoncée avec sa date."),
    ),
    Criterion(
        "13.2", _("L’ouverture d’une nouvelle fenêtre est signalée"), C, _("« nouvelle fenêtre » dans le titre.")
    ),
    Criterion(
        "13.3",
        _("Chaque document bureautique en téléchargement a une version accessible"),
        C,
        _(
            "Attestations, parcours et rapport d’avancement existent en page web ; les documents des "
            "contributeurs extérieurs sont des contenus tiers."
        ),
    ),
    Criterion("13.4", _("La version accessible a la même information"), C, _("Mêmes données.")),
    Criterion("13.5", _("Chaque contenu cryptique a une alternative"), NA, _("Aucun contenu cryptique.")),
    Criterion("13.6", _("L’alternative de chaque contenu cryptique est pertinente"), NA, _("Aucun contenu cryptique.")),
    Criterion("13.7", _("Les changements brusques de luminosité sont correctement utilisés"), NA, _("Aucun.")),
    Criterion("13.8", _("Chaque contenu en mouvement ou clignotant est contrôlable"), NA, _("Aucun.")),
    Criterion(
        "13.9",
        _("Le contenu est consultable quelle que soit l’orientation de l’écran"),
        C,
        _("Mise en page fluide du DSFR."),
    ),
    Criterion("13.10", _("Les gestes complexes ont une alternative"), NA, _("Aucun geste complexe.")),
    Criterion(
        "13.11",
        _("Les actions déclenchées au pointeur peuvent être annulées"),
        C,
        _("Actions au relâchement (liens et boutons natifs)."),
    ),
    Criterion("13.12", _("Les fonctionnalités déclenchées par un mouvement ont une alternative"), NA, _("Aucune.")),
)


@dataclass(frozen=True, slots=True)
class Assessment:
    criteria: tuple[Criterion, ...]
    conform: int
    not_conform: int
    not_applicable: int
    rate: float  # conform / applicable, in percent, one decimal

    @property
    def non_conformities(self) -> list[Criterion]:
        return [c for c in self.criteria if c.status == NC]


def assessment(criteria: tuple[Criterion, ...] = CRITERIA) -> Assessment:
    counts = {status: sum(1 for c in criteria if c.status == status) for status in (C, NC, NA)}
    applicable = counts[C] + counts[NC]
    return Assessment(
        criteria=criteria,
        conform=counts[C],
        not_conform=counts[NC],
        not_applicable=counts[NA],
        rate=round(100 * counts[C] / applicable, 1) if applicable else 100.0,
    )
