"""Question bank: schema, validation, readers and writers, starter sets. No Flask."""
from .formats.common import check_zip
from .formats.template_xlsx import write_template
from .importer import FORMATS_READ, FORMATS_WRITE, read_bytes, read_file, write_questions
from .schema import (ImageData, ImportResult, OptionData, Problem, QuestionBankError, QuestionData, duplicate_key,
                     find_duplicates, normalise_text, strip_diacritics, validate_question)
from .starter import starter_sets

__all__ = [
    "check_zip", "FORMATS_READ", "FORMATS_WRITE", "ImageData", "ImportResult", "OptionData", "Problem", "QuestionBankError",
    "QuestionData", "duplicate_key", "find_duplicates", "normalise_text", "read_bytes", "read_file",
    "starter_sets", "strip_diacritics", "validate_question", "write_questions", "write_template",
]
