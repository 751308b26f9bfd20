"""Every feature's models, imported in one place: SQLAlchemy resolves relationships by
class name once all of them are mapped, and Alembic compares the whole schema."""

from eventsapp import versioning  # noqa: F401 - registers the flush listener
from eventsapp.accounts import models as accounts  # noqa: F401
from eventsapp.agenda import models as agenda  # noqa: F401
from eventsapp.feedback import models as feedback  # noqa: F401
from eventsapp.mail import models as mail  # noqa: F401
from eventsapp.members import models as members  # noqa: F401
from eventsapp.messages import models as messages  # noqa: F401
from eventsapp.organisations import models as organisations  # noqa: F401
from eventsapp.registration import models as registration  # noqa: F401
from eventsapp.showcase import models as showcase  # noqa: F401
from eventsapp.tours import models as tours  # noqa: F401
from eventsapp.visits import models as visits  # noqa: F401
