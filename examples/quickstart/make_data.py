#!/usr/bin/env python3
"""Writes the quickstart's small review-sentiment data set (train/dev/test TSV), made here from word lists.

A review is positive when its sentiment words add up above zero; "not" flips the next sentiment word and "very"
doubles it, so a model has to read word order, not just count words. Deterministic: the same files every time.
Run from this folder: python3 make_data.py
"""
import csv
import random

POSITIVE = ["great", "good", "fine", "lovely", "superb", "fun", "moving", "clever", "charming", "delightful"]
NEGATIVE = ["awful", "bad", "poor", "dull", "boring", "weak", "tedious", "clumsy", "bland", "messy"]
SUBJECTS = ["the movie", "the film", "the plot", "the acting", "the script", "the music", "the cast", "the ending",
            "the story", "the dialogue", "this sequel", "the director's work"]
LINKS = ["was", "is", "felt", "seemed", "looked"]
JOINS = [" but ", " and ", ", yet ", "; ", " although "]


def clause(rng):
    negated = rng.random() < 0.3
    intense = rng.random() < 0.3
    positive = rng.random() < 0.5
    word = rng.choice(POSITIVE if positive else NEGATIVE)
    score = (1 if positive else -1) * (-1 if negated else 1) * (2 if intense else 1)
    words = [rng.choice(SUBJECTS), rng.choice(LINKS)] + (["not"] if negated else []) + (["very"] if intense else []) + [word]
    return " ".join(words), score


def review(rng):
    while True:
        parts = [clause(rng) for _ in range(rng.choice([1, 2, 2, 3]))]
        total = sum(score for _, score in parts)
        if total != 0:
            text = parts[0][0]
            for part, _ in parts[1:]:
                text += rng.choice(JOINS) + part
            if rng.random() < 0.05:
                text = f'"{text}," said one critic'
            return text, 1 if total > 0 else 0


def write(path, count, seed):
    rng = random.Random(seed)
    with open(path, "w", newline="") as f:
        out = csv.writer(f, delimiter="\t", lineterminator="\n")
        out.writerow(["sentence", "label"])
        for _ in range(count):
            out.writerow(review(rng))


if __name__ == "__main__":
    write("train.tsv", 2400, 1)
    write("dev.tsv", 400, 2)
    write("test.tsv", 400, 3)
