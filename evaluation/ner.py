"""NER quality on a CoNLL-2003 file: the bare spaCy model against Dateline's full entity step.

Both systems read the same document texts (tokens joined by spaces, sentences by newlines, so every
gold token keeps its character offsets), spaCy labels are mapped to CoNLL's four, and a predicted
entity counts only when its start, end and mapped label all equal a gold entity's.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from dateline.transforms.entities import doc_mentions
from spacy.language import Language
from spacy.tokens import Doc

LABEL_MAP = {
    "PERSON": "PER",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "ORG": "ORG",
    "NORP": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
}
LABELS = ("PER", "ORG", "LOC", "MISC")
MICRO_LABELS = ("PER", "ORG", "LOC")
MICRO_KEY = "micro_PER_ORG_LOC"

Span = tuple[int, int, str]  # start_char, end_char, CoNLL label


@dataclass(frozen=True)
class ConllDoc:
    text: str
    entities: frozenset[Span]


def parse_conll(lines: Iterable[str]) -> list[ConllDoc]:
    """Documents of a CoNLL-2003 file (``-DOCSTART-`` separated, token first column, IOB tag last).

    Both IOB1 (I- may open an entity) and IOB2 tags are read.
    """
    docs: list[ConllDoc] = []
    sentences: list[list[tuple[str, str]]] = []
    sentence: list[tuple[str, str]] = []

    def close_sentence() -> None:
        nonlocal sentence
        if sentence:
            sentences.append(sentence)
            sentence = []

    def close_doc() -> None:
        nonlocal sentences
        close_sentence()
        if sentences:
            docs.append(_conll_doc(sentences))
            sentences = []

    for raw in lines:
        line = raw.strip()
        if not line:
            close_sentence()
            continue
        parts = line.split()
        if parts[0] == "-DOCSTART-":
            close_doc()
            continue
        sentence.append((parts[0], parts[-1]))
    close_doc()
    return docs


def _conll_doc(sentences: list[list[tuple[str, str]]]) -> ConllDoc:
    pieces: list[str] = []
    entities: set[Span] = set()
    offset = 0
    open_start, open_end, open_label = -1, -1, ""

    def close_entity() -> None:
        nonlocal open_start
        if open_start >= 0:
            entities.add((open_start, open_end, open_label))
            open_start = -1

    for s_index, sentence in enumerate(sentences):
        if s_index:
            pieces.append("\n")
            offset += 1
        for t_index, (token, tag) in enumerate(sentence):
            if t_index:
                pieces.append(" ")
                offset += 1
            start, end = offset, offset + len(token)
            pieces.append(token)
            offset = end
            prefix, _, label = tag.partition("-")
            if prefix == "O" or not label:
                close_entity()
            elif prefix == "B" or open_start < 0 or label != open_label:
                close_entity()
                open_start, open_end, open_label = start, end, label
            else:
                open_end = end
        close_entity()
    return ConllDoc(text="".join(pieces), entities=frozenset(entities))


def read_conll(path: Path) -> list[ConllDoc]:
    """``parse_conll`` over a file."""
    with path.open(encoding="utf-8") as handle:
        return parse_conll(handle)


def bare_entities(doc: Doc) -> set[Span]:
    """The model's own ``doc.ents`` with mapped labels (labels outside LABEL_MAP are not entities)."""
    return {(e.start_char, e.end_char, LABEL_MAP[e.label_]) for e in doc.ents if e.label_ in LABEL_MAP}


def pipeline_entities(doc: Doc) -> set[Span]:
    """What Dateline's entity step keeps of ``doc``: its mentions' name spans with mapped labels."""
    return {
        (m["name_start_char"], m["name_end_char"], LABEL_MAP[m["label"]])
        for m in doc_mentions("eval", doc)
        if m["label"] in LABEL_MAP
    }


def predict(nlp: Language, texts: list[str], spans: Callable[[Doc], set[Span]]) -> list[set[Span]]:
    return [spans(doc) for doc in nlp.pipe(texts, batch_size=32)]


def score(gold: list[frozenset[Span]], predicted: list[set[Span]]) -> dict[str, dict[str, float]]:
    """Precision, recall and F1 per CoNLL label and micro-averaged over PER/ORG/LOC (exact match)."""
    counts = {label: [0, 0, 0] for label in LABELS}  # true positives, predicted, gold
    for gold_doc, pred_doc in zip(gold, predicted, strict=True):
        for _, _, label in gold_doc:
            counts[label][2] += 1
        for span in pred_doc:
            counts[span[2]][1] += 1
            if span in gold_doc:
                counts[span[2]][0] += 1
    result = {label: _prf(*counts[label]) for label in LABELS}
    micro = [sum(counts[label][i] for label in MICRO_LABELS) for i in range(3)]
    result[MICRO_KEY] = _prf(*micro)
    return result


def _prf(tp: int, predicted: int, gold: int) -> dict[str, float]:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f1, 4)}


def evaluate_ner(bare_nlp: Language, pipeline_nlp: Language, docs: list[ConllDoc]) -> dict[str, dict]:
    """``{"bare": scores, "pipeline": scores}`` for the two systems on the same documents."""
    texts = [d.text for d in docs]
    gold = [d.entities for d in docs]
    return {
        "bare": score(gold, predict(bare_nlp, texts, bare_entities)),
        "pipeline": score(gold, predict(pipeline_nlp, texts, pipeline_entities)),
    }


def format_table(result: dict[str, dict]) -> str:
    """The scores as a plain-text table, one row per system and label."""
    lines = [f"{'system':<9} {'label':<18} {'P':>7} {'R':>7} {'F1':>7}"]
    for system, scores in result.items():
        for label in (*LABELS, MICRO_KEY):
            s = scores[label]
            lines.append(f"{system:<9} {label:<18} {s['p']:>7.4f} {s['r']:>7.4f} {s['f1']:>7.4f}")
    return "\n".join(lines)


def to_json(result: dict[str, dict]) -> str:
    return json.dumps(result, sort_keys=False)
