import io, re
from tests.plan_files import an_unrecognised_docx
from tests.support import build_world, login
from tracker.app import create_app
