"""Images benchmark: what a phone downloads for an attempt of 20 questions with images, and the
image endpoint's throughput against a bare-Flask reference serving the same bytes from memory.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/images.py                     # SQLite (fresh file), ~1 min
    .venv/bin/python bench/images.py --database-url postgresql://postgres@127.0.0.1:5432/bench_images

It seeds a fresh database (a unit, an open quiz of 20 questions: every question has a photo-like
image, every other one four option images, all through the app's own re-encoding), starts the app
and bench/reference_app.py under the README's gunicorn setup (bench/load.py's Server), then:

1. Bytes per phone. A phone starts an attempt through the API, opens the attempt page and goes
   through all 20 questions, fetching what the page references (CSS, JS, every image once: the
   browser's lazy loading fetches each when its question shows). Then it reloads the page with its
   HTTP cache: a response whose Cache-Control says `immutable` (or a max-age still fresh) costs
   nothing; one with a validator costs a conditional request (its 304 counted); anything else is
   fetched again. Bytes are bodies plus response headers, as sent (no compression in front).
2. Throughput. --clients concurrent clients GET the quiz's images at random for --seconds, then the
   reference's `/blob/<mean image size>` for as long; the ratio is printed against the target 0.5×.

A PostgreSQL database given with --database-url is DROPPED and recreated: use a scratch name.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

import load  # noqa: E402  (Server, Recorder, Phase, for_seconds, fresh_postgres)
import reference_app  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from question_bank import ImageData, OptionData, QuestionData  # noqa: E402
from quiz import clock, create_app  # noqa: E402
from quiz.extensions import db  # noqa: E402
from quiz.models import Contest, DrawRule, Media, Quiz, Unit  # noqa: E402
from quiz.services import bank as bank_service  # noqa: E402

CODE = "ANH20"
QUESTIONS = 20
TARGET_RATIO = 0.5


def photo(seed: int, width: int, height: int) -> bytes:
    """A photo-like PNG (noise and shapes compress like a screenshot or a photo, not like a flat fill)."""
    import io
    rng = random.Random(seed)
    image = Image.effect_noise((width, height), 40).convert("RGB")
    tint = Image.new("RGB", (width, height), tuple(rng.randrange(256) for _ in range(3)))
    image = Image.blend(image, tint, 0.6)
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        draw.rectangle((x, y, x + rng.randrange(40, 300), y + rng.randrange(20, 120)),
                       fill=tuple(rng.randrange(256) for _ in range(3)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def seed(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"},
                     instance_path=tempfile.mkdtemp(prefix="bench-instance-"))
    with app.app_context():
        began = time.perf_counter()
        db.drop_all()
        db.create_all()
        db.session.add(Unit(code="CDC", name="Trung tâm Kiểm soát bệnh tật tỉnh", path="/"))
        question_set = bank_service.get_or_create_set("Đề có ảnh")
        for n in range(QUESTIONS):
            with_option_images = n % 2 == 1
            options = [OptionData(f"Phương án {c}", k == 1,
                                  ImageData(photo(n * 10 + k, 600, 600), f"{n}-{k}.png", f"Hình {c}")
                                  if with_option_images else None)
                       for k, c in enumerate("ABCD")]
            bank_service.create_question(question_set, QuestionData(
                text=f"Câu hỏi có ảnh số {n + 1}: hình nào đúng?", kind="single", options=options,
                image=ImageData(photo(n, 1600, 1000), f"{n}.png", f"Ảnh của câu {n + 1}")))
        now = clock.utcnow()
        db.session.add(Quiz(code=CODE, title="Đề 20 câu có ảnh", contest=Contest(code="ANH", title="Ảnh"),
                            opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1), duration_s=3600,
                            shuffle_questions=False,
                            draw_rules=[DrawRule(position=0, question_set=question_set, count=QUESTIONS)]))
        db.session.commit()
        sizes = [m.size for m in db.session.scalars(db.select(Media))]
        print(f"seeded {QUESTIONS} questions with {len(sizes)} images (re-encoded WebP: "
              f"mean {sum(sizes) / len(sizes) / 1024:.1f} KB, max {max(sizes) / 1024:.1f} KB) "
              f"in {time.perf_counter() - began:.0f} s", flush=True)
        db.session.remove()
        db.engine.dispose()


# --- 1. Bytes per phone ---------------------------------------------------------------------------

class Phone:
    """urllib with a minimal HTTP cache, counting the bytes it receives."""

    def __init__(self, base: str):
        self.base, self.cache, self.received, self.requests = base, {}, 0, 0

    def _fetch(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            response = urllib.request.urlopen(request, timeout=30)
        except urllib.error.HTTPError as error:  # 304 arrives as an HTTPError
            response = error
        data = response.read()
        head = sum(len(k) + len(v) + 4 for k, v in response.headers.items()) + 17
        self.received += len(data) + head
        self.requests += 1
        return response.status, response.headers, data

    def get(self, path: str) -> bytes:
        cached = self.cache.get(path)
        if cached is not None:
            headers, data = cached
            control = headers.get("Cache-Control", "")
            if "immutable" in control or re.search(r"max-age=[1-9]", control):
                return data  # fresh in the cache: nothing on the wire
            validators = {}
            if headers.get("ETag"):
                validators["If-None-Match"] = headers["ETag"]
            if headers.get("Last-Modified"):
                validators["If-Modified-Since"] = headers["Last-Modified"]
            if validators:
                status, _headers, _data = self._fetch("GET", path, headers=validators)
                if status == 304:
                    return data
        status, headers, data = self._fetch("GET", path)
        if "no-store" not in headers.get("Cache-Control", ""):
            self.cache[path] = (headers, data)
        return data

    def assets(self, html: str) -> list[str]:
        return list(dict.fromkeys(re.findall(r'(?:src|href)="(/(?:static|m)/[^"?]+)', html)))


def bytes_per_phone(app_base: str) -> tuple[dict, dict]:
    import json
    phone = Phone(app_base)
    body = json.dumps({"full_name": "Nguyễn Thị Hoa", "unit_code": "CDC", "identity": "0912345678",
                       "consent": True}).encode()
    status, _h, data = phone._fetch("POST", f"/api/v1/quizzes/{CODE}/attempts", body,
                                    {"Content-Type": "application/json"})
    token = json.loads(data)["attempt_id"]
    html = phone.get(f"/a/{token}").decode()
    for path in phone.assets(html):  # the whole quiz: every question shown once
        phone.get(path)
    first = {"bytes": phone.received, "requests": phone.requests,
             "images": sum(1 for p in phone.assets(html) if p.startswith("/m/"))}
    phone.received = phone.requests = 0
    html = phone.get(f"/a/{token}").decode()
    for path in phone.assets(html):
        phone.get(path)
    reload = {"bytes": phone.received, "requests": phone.requests}
    return first, reload


# --- 2. Throughput -----------------------------------------------------------------------------------

async def throughput(args, app: load.Server, ref: load.Server, urls: list[str], mean_size: int) -> load.Recorder:
    rec = load.Recorder()
    run = load.Run(args, app, ref)
    rng = random.Random(3)
    async with run.session() as s:
        with load.Phase(rec, ["image endpoint"], app):
            await load.for_seconds(args.seconds, args.clients, lambda: rec.call(
                s, "image endpoint", "GET", app.base + rng.choice(urls)))
        with load.Phase(rec, ["bare Flask blob"], ref):
            await load.for_seconds(args.seconds, args.clients, lambda: rec.call(
                s, "bare Flask blob", "GET", f"{ref.base}/blob/{mean_size}"))
    return rec


def main() -> int:
    parser = argparse.ArgumentParser(description="Images benchmark (see the module docstring).")
    parser.add_argument("--database-url", help="postgresql://… (dropped and recreated); default: a fresh SQLite file")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--profile", default=None)  # load.Run reads it; unused here
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-images-"))
    url = args.database_url or f"sqlite:///{folder / 'app.db'}"
    if args.database_url:
        load.fresh_postgres(args.database_url)
    seed(url)
    reference_app.init_db(f"sqlite:///{folder / 'ref.db'}")
    env = {"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "QUIZ_RATELIMIT_ENABLED": "0"}
    app = load.Server("wsgi:app", env)
    ref = load.Server("reference_app:app", {"REFERENCE_DATABASE_URL": f"sqlite:///{folder / 'ref.db'}"},
                      ["--pythonpath", str(BENCH)])
    try:
        app.wait(f"/j/{CODE}")
        ref.wait("/hello")
        first, reload = bytes_per_phone(app.base)
        print(f"\nbytes per phone, attempt of {QUESTIONS} questions with {first['images']} images:")
        print(f"  first load : {first['bytes'] / 1024:8.1f} KB in {first['requests']} requests "
              "(page, CSS, JS, every image once)")
        print(f"  reload     : {reload['bytes'] / 1024:8.1f} KB in {reload['requests']} requests "
              "(images and immutable assets from the phone's cache)")
        app_env = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"},
                             instance_path=str(folder / "reader"))
        with app_env.app_context():
            rows = db.session.execute(db.select(Media.sha256, Media.size)).all()
            db.engine.dispose()
        urls = [f"/m/{sha}.webp" for sha, _size in rows]
        mean_size = int(sum(size for _sha, size in rows) / len(rows))
        rec = asyncio.run(throughput(args, app, ref, urls, mean_size))
        mine, base = rec.stats["image endpoint"], rec.stats["bare Flask blob"]
        print(f"\nthroughput, {args.clients} clients, {args.seconds:.0f} s each (mean image {mean_size / 1024:.1f} KB):")
        for name, stat in (("image endpoint", mine), ("bare Flask blob", base)):
            print(f"  {name:16s} {stat.rate:8.0f} req/s  {stat.rate * mean_size / 1024 / 1024:6.1f} MB/s  "
                  f"p50 {stat.pct(50):6.1f} ms  p99 {stat.pct(99):6.1f} ms  errors {stat.errors}")
        ratio = mine.rate / base.rate if base.rate else 0.0
        verdict = "ok" if ratio >= TARGET_RATIO else "BELOW TARGET"
        print(f"  ratio {ratio:.2f}× of bare Flask (target ≥ {TARGET_RATIO}×): {verdict}")
        return 0 if ratio >= TARGET_RATIO and not (mine.errors or base.errors) else 1
    finally:
        app.stop()
        ref.stop()


if __name__ == "__main__":
    sys.exit(main())
