"""Loads an `adapt` folder with sentence-transformers itself (SentenceTransformer(folder), local files only,
CPU) and compares model.encode(texts) with this project's `embed --model <folder>` vectors.

Usage: st_encode_check.py <folder> <texts.json> <our vectors.json> [tolerance]
Prints one JSON line (versions, the modules sentence-transformers built, the worst difference); exits 0
when every value is within tolerance (default 1e-5), 1 otherwise.
"""
import json
import sys

import sentence_transformers
import torch
import transformers
from sentence_transformers import SentenceTransformer


def main():
    folder, texts_file, ours_file = sys.argv[1:4]
    tolerance = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-5
    with open(texts_file, encoding="utf8") as f:
        texts = json.load(f)
    with open(ours_file, encoding="utf8") as f:
        ours = torch.tensor(json.load(f), dtype=torch.float32)
    # float32 as this engine computes (fp16 checkpoints are widened on read); without it newer transformers
    # may keep a float16 checkpoint in float16.
    model = SentenceTransformer(folder, device="cpu", local_files_only=True, model_kwargs={"dtype": torch.float32})
    theirs = model.encode(texts, convert_to_tensor=True, batch_size=len(texts)).to(torch.float32)
    worst = (theirs - ours).abs().max().item()
    modules = [type(m).__name__ for m in model]
    print(json.dumps({"check": "sentence-transformers", "sentence_transformers": sentence_transformers.__version__, "transformers": transformers.__version__, "torch": torch.__version__, "modules": modules, "texts": len(texts), "dims": list(theirs.shape[1:]), "maxAbsDiff": worst}))
    sys.exit(0 if worst <= tolerance else 1)


if __name__ == "__main__":
    main()
