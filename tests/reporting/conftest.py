import pytest

from essaim.reporting.rollups import rollups_refresh
from tests import steering_data as data
from tests.factories import OrganisationFactory


@pytest.fixture
def year():
    from django.utils import timezone

    return timezone.localdate().year


@pytest.fixture
def intro(db):
    return data.course("facilitation-fondamentaux", is_introduction=True)


@pytest.fixture
def trainers_course(db):
    return data.course("former-des-formateurs", is_trainer_track=True)


@pytest.fixture
def figures(ministry, other_ministry, intro, trainers_course, year):
    """Ministry A: 12 people in Q1 (Île-de-France) and 6 in Q2 of this year, 8 last year;
    ministry B: 3 people (a small group) in Q1; a partner's session of 5 trainers-to-be."""
    partner_org = OrganisationFactory(name="Association Démocratie Test", slug="asso-test", kind="partner")
    idf = data.region("11")
    bretagne = data.region("53")
    data.held_session(course=intro, organiser=ministry, people=12, registered=2, when=data.moment(year, 2), region=idf)
    data.held_session(course=intro, organiser=ministry, people=6, when=data.moment(year, 5), region=idf)
    data.held_session(course=intro, organiser=ministry, people=8, when=data.moment(year - 1, 5), region=idf)
    data.held_session(course=intro, organiser=other_ministry, people=3, when=data.moment(year, 3), region=bretagne)
    data.held_session(
        course=trainers_course, organiser=partner_org, people=5, when=data.moment(year, 1, 20), region=idf
    )
    rollups_refresh()
    return {"partner": partner_org, "idf": idf, "bretagne": bretagne}
