"""``dateline train`` and ``dateline eval``: the event detector's, context-actor fillers' and modality model's training, the accuracy harnesses."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from dateline.cli.common import console, fail, settings_from
from dateline.cli.run_cmds import run_flow
from rich.table import Table

train_app = typer.Typer(help="Train Dateline's models on annotated data.", no_args_is_help=True)


@train_app.command("events")
def train_events(
    gold: Annotated[list[Path] | None, typer.Option("--gold", help="Gold folder (sentences.jsonl + gold.jsonl), repeatable.")] = None,
    labels: Annotated[list[Path] | None, typer.Option("--labels", help="Label file (record_id, start, end, events), repeatable.")] = None,
    corpus: Annotated[Path, typer.Option(help="JSON-lines corpus the sentences come from (id, text).")] = Path("../shared/corpora/news_allsides_2018_2019.jsonl"),
    out: Annotated[Path, typer.Option(help="Folder to write the detector to.")] = Path("transforms/models/event_detector"),
    c: Annotated[float, typer.Option(help="Inverse regularisation strength of the logistic regression.")] = 0.5,
) -> None:
    """Train the event detector on sentence gold; prints what cross-validation and the test split measured."""
    from dateline.training.events import TrainingSources, train_detector

    gold = gold if gold is not None else [Path("../shared/eval/events_train")]
    labels = labels if labels is not None else sorted(Path("training/labels").glob("*.jsonl"))
    for path in [*gold, *labels, corpus]:
        if not path.exists():
            fail(f"no such input: {path}")
    about = train_detector(TrainingSources(gold, labels, corpus), out, settings_from().model, c)
    sys.stdout.write(json.dumps(about, indent=1) + "\n")


@train_app.command("actors")
def train_actors(  # noqa: PLR0913  (Typer: one parameter per command-line option)
    gold: Annotated[list[Path], typer.Option("--gold", help="Gold folder with articles.jsonl (python -m dateline.training.gold_folder OUT --split train), repeatable.")],
    out: Annotated[Path, typer.Option(help="Folder to write the actor1 context-actor model to.")] = Path("transforms/models/context_actors"),
    out2: Annotated[Path, typer.Option(help="Folder to write the actor2 context-actor model to.")] = Path("transforms/models/context_actors2"),
    slot: Annotated[list[str] | None, typer.Option("--slot", help="Train only this slot's filler (actor1 or actor2), repeatable; default both (actor2's trained on what actor1's leaves).")] = None,
    c: Annotated[float, typer.Option(help="Inverse regularisation strength of the conditional logit.")] = 0.3,
    max_articles: Annotated[int | None, typer.Option(help="Only the first N articles of each folder (by id).")] = None,
) -> None:
    """Train the fillers of the actor1 and actor2 slots the rules leave empty on sentence gold (the test fold is
    left out); prints what cross-validation by article measured, by slot."""
    from dateline.training.context_actors import train_context_actors

    for path in gold:
        if not (path / "articles.jsonl").is_file():
            fail(f"no articles.jsonl in {path}")
    slots = slot or ["actor1", "actor2"]
    if set(slots) - {"actor1", "actor2"}:
        fail(f"--slot is actor1 or actor2, not {sorted(set(slots) - {'actor1', 'actor2'})[0]}")
    outs = {name: {"actor1": out, "actor2": out2}[name] for name in slots}
    about = train_context_actors(gold, outs, settings_from().model, c, max_articles)
    sys.stdout.write(json.dumps(about, indent=1) + "\n")


@train_app.command("modality")
def train_modality(
    gold: Annotated[list[Path], typer.Option("--gold", help="Gold folder with articles.jsonl (python -m dateline.training.gold_folder OUT --split train), repeatable.")],
    out: Annotated[Path, typer.Option(help="Folder to write the modality model to.")] = Path("transforms/models/modality"),
    c: Annotated[float, typer.Option(help="Inverse regularisation strength of the logistic regression.")] = 0.5,
    max_articles: Annotated[int | None, typer.Option(help="Only the first N articles of each folder (by id).")] = None,
) -> None:
    """Train the classifier that revises the rules' modality where it is sure, on sentence gold (the test fold is
    left out); prints what cross-validation by article measured (rules vs revised, confusions)."""
    from dateline.training.modality import train_modality as train

    for path in gold:
        if not (path / "articles.jsonl").is_file():
            fail(f"no articles.jsonl in {path}")
    about = train(gold, out, settings_from().model, c, max_articles)
    sys.stdout.write(json.dumps(about, indent=1) + "\n")


eval_app = typer.Typer(help="Measure Dateline against public gold data.", no_args_is_help=True)


@eval_app.command("ner")
def eval_ner(
    conll: Annotated[Path, typer.Option("--conll", help="CoNLL-2003 file (e.g. ../shared/corpora/conll2003/valid.txt).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object {bare, pipeline}.")] = False,
) -> None:
    """NER precision/recall/F1 of the bare model and of Dateline's entity step on a CoNLL-2003 file."""
    from dateline.evaluation import ner as ner_eval
    from dateline.flows.nlp import load_nlp

    if not conll.is_file():
        fail(f"no such file: {conll}")
    docs = ner_eval.read_conll(conll)
    if not docs:
        fail(f"no CoNLL documents in {conll}")
    model = settings_from().model
    try:
        result = ner_eval.evaluate_ner(load_nlp(model, False), load_nlp(model), docs)
    except RuntimeError as exc:
        fail(str(exc))
    if as_json:
        sys.stdout.write(ner_eval.to_json(result) + "\n")
    else:
        sys.stdout.write(ner_eval.format_table(result) + "\n")


@eval_app.command("entities")
def eval_entities(
    ecbplus: Annotated[Path | None, typer.Option("--ecbplus", help="ECB+ JSON-lines file (named participants).")] = None,
    split_rate: Annotated[Path | None, typer.Option("--split-rate", help="A warehouse whose split rate to measure.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N ECB+ documents.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per requested evaluation.")] = False,
) -> None:
    """Entity resolution: ECB+ cross-document coreference of named participants, a warehouse's split rate."""
    from dateline.evaluation import entities as entities_eval

    if ecbplus is None and split_rate is None:
        fail("give --ecbplus FILE and/or --split-rate WAREHOUSE")
    for path in (ecbplus, split_rate):
        if path is not None and not path.exists():
            fail(f"no such file: {path}")
    results = {}
    if split_rate is not None:
        results["split_rate"] = entities_eval.split_rate(split_rate)
    if ecbplus is not None:
        from dateline.flows.nlp import load_nlp
        from dateline.flows.settings import Settings

        try:
            nlp = load_nlp(Settings().model)
        except RuntimeError as exc:
            fail(str(exc))
        results["ecbplus"] = entities_eval.evaluate_ecbplus(nlp, ecbplus, limit)
    single = next(iter(results.values())) if len(results) == 1 else results
    if as_json:
        sys.stdout.write(json.dumps(single, sort_keys=True, default=str) + "\n")
        return
    console.print_json(json.dumps(single, default=str))


@eval_app.command("events")
def eval_events(  # noqa: PLR0913  (Typer: one parameter per command-line option)
    ecbplus: Annotated[Path | None, typer.Option("--ecbplus", help="ECB+ JSON-lines file (mention recall, B³ F1).")] = None,
    petrarch: Annotated[Path | None, typer.Option("--petrarch", help="PETRARCH2 gold sentences (JSON lines).")] = None,
    seeds: Annotated[Path | None, typer.Option("--seeds", help="Folder of seed articles, scored against --gold.")] = None,
    gold: Annotated[Path | None, typer.Option(
        help="Sentence gold folder (sentences.jsonl, gold.jsonl; articles.jsonl to run on) to score; with --seeds, "
        "the seed gold list (default tests/golden/seed_events.csv).")] = None,
    warehouse: Annotated[Path | None, typer.Option(
        help="With --gold DIR: score this warehouse (a run over DIR/articles.jsonl) instead of running the "
        "pipeline into a temporary one.")] = None,
    min_confidence: Annotated[float | None, typer.Option(
        "--min-confidence", help="With --gold DIR: drop event mentions below this confidence before scoring.")] = None,
    curve: Annotated[bool, typer.Option(
        "--curve", help="With --gold DIR: also score at confidence thresholds 0.0, 0.1, …, 0.9.")] = False,
    limit: Annotated[int | None, typer.Option(help="Only the first N ECB+ documents.")] = None,
    errors: Annotated[int, typer.Option(
        "--errors", help="With --ecbplus: list up to N wrong links (mention pairs merged that ECB+ keeps apart), "
        "with their sentences.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per requested evaluation.")] = False,
) -> None:
    """Event quality: sentence gold folders, ECB+ mention detection and cross-document merging, PETRARCH2, seed gold."""
    gold_folder = gold if gold is not None and seeds is None else None
    if errors < 0 or (errors and ecbplus is None):
        fail("--errors N (N >= 0) goes with --ecbplus FILE")
    _check_event_inputs({"ecbplus": ecbplus, "petrarch": petrarch, "seeds": seeds, "gold": gold_folder},
                        gold_folder is not None or (warehouse is None and min_confidence is None and not curve))
    results = {}
    if gold_folder is not None:
        results["gold"] = _eval_gold_folder(gold_folder, warehouse, min_confidence, curve)
    if ecbplus is not None or petrarch is not None or seeds is not None:
        results |= _eval_texts(ecbplus, petrarch, seeds and (seeds, gold or Path("tests/golden/seed_events.csv")),
                               limit, errors)
    if as_json:
        single = next(iter(results.values())) if len(results) == 1 else results
        sys.stdout.write(json.dumps(single, sort_keys=True, default=str) + "\n")
        return
    for name, result in results.items():
        _print_event_result(name, result)


def _check_event_inputs(requested: dict[str, Path | None], gold_options_fit: bool) -> None:
    """Fail unless something is requested, every input exists, and --gold DIR's options come with it."""
    if not any(requested.values()):
        fail("give --gold DIR, --ecbplus FILE, --petrarch FILE and/or --seeds DIR")
    for name, path in requested.items():
        if path is not None and not path.exists():
            fail(f"no such {name} input: {path}")
    if not gold_options_fit:
        fail("--warehouse, --min-confidence and --curve go with --gold DIR")


def _eval_texts(ecbplus: Path | None, petrarch: Path | None, seeds: tuple[Path, Path] | None,
                limit: int | None, errors: int = 0) -> dict:
    """The evaluations that run the pipeline's own NLP over gold texts: ECB+, PETRARCH2, seed gold."""
    from dateline.evaluation import ecb_events as ecbplus_eval
    from dateline.evaluation import events as events_eval
    from dateline.flows.nlp import load_lexicon, load_nlp

    try:
        nlp = load_nlp(settings_from().model)
    except RuntimeError as exc:
        fail(str(exc))
    lexicon = load_lexicon()
    results = {}
    if ecbplus is not None:
        results["ecbplus"] = ecbplus_eval.evaluate_ecbplus(nlp, lexicon, ecbplus, limit, errors)
    if petrarch is not None:
        results["petrarch"] = events_eval.evaluate_petrarch(nlp, lexicon, petrarch)
    if seeds:
        results["seeds"] = events_eval.evaluate_seeds(nlp, lexicon, *seeds)
    return results


def _print_event_result(name: str, result: dict) -> None:
    table = Table(title=f"eval events: {name}", show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for metric, value in result.items():
        if not isinstance(value, dict | list):
            table.add_row(metric, str(value))
    console.print(table)
    if result.get("links_by_evidence"):
        evidence = Table(title="links by what the merged reports share")
        for column in ("evidence", "right", "wrong"):
            evidence.add_column(column, justify="left" if column == "evidence" else "right")
        for shared, counts in result["links_by_evidence"].items():
            evidence.add_row(shared, str(counts["right"]), str(counts["wrong"]))
        console.print(evidence)
    for link in result.get("wrong_links", []):
        console.print(f"wrong link in event {link['event_key']}:")
        for m in link["mentions"]:
            chain = m["chain"] if m["in_chain"] else "no chain"
            console.print(f"  {m['id']} ({chain}) {m['event_code']} {m['trigger']!r} date {m['date']} "
                          f"{m['date_precision']}: {m['sentence']}", markup=False, highlight=False)
    if result.get("curve"):
        points = Table(title="by confidence threshold")
        columns = ("min_confidence", "predicted", "precision", "recall", "f1", "fully_correct_per_predicted")
        for column in columns:
            points.add_column(column, justify="right")
        for point in result["curve"]:
            points.add_row(*(str(point[c]) for c in columns))
        console.print(points)


def _eval_gold_folder(folder: Path, warehouse: Path | None, min_confidence: float | None, curve: bool) -> dict:
    """Score a warehouse against a sentence gold folder; without one, run the pipeline on its articles first."""
    import tempfile

    from dateline.evaluation.event_gold import evaluate_gold_folder, read_gold_folder
    from dateline.flows.settings import Settings

    try:
        read_gold_folder(folder)
    except FileNotFoundError as exc:
        fail(str(exc))
    if warehouse is not None:
        if not warehouse.is_file():
            fail(f"no such warehouse: {warehouse}")
        return evaluate_gold_folder(folder, warehouse, min_confidence, curve)
    articles = folder / "articles.jsonl"
    if not articles.is_file():
        fail(f"{articles} not found: give --warehouse W (a run over the gold's articles) or the articles to run on")
    with tempfile.TemporaryDirectory(prefix="dateline-eval-") as tmp:
        settings = Settings(inputs=[str(articles)], warehouse=Path(tmp) / "eval.duckdb", quiet=True)
        summary = run_flow(settings)
        if summary.status != "success":
            fail(f"the pipeline run over {articles} ended {summary.status}")
        return evaluate_gold_folder(folder, settings.warehouse, min_confidence, curve)

