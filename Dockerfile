# The bot's image: the Procfile's `web` (the default command) and `worker` (compose.yaml).
# docker compose up -d builds it; alone: docker build -t zalo-bot .
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A dedicated user without a shell or a writable home: the code belongs to root.
RUN useradd --system --uid 10001 --user-group --home-dir /nonexistent --shell /usr/sbin/nologin zalo-bot

WORKDIR /app
COPY requirements.txt ./
RUN pip install --requirement requirements.txt
COPY . .
# Web and worker of one host sum their metrics here (PROMETHEUS_MULTIPROC_DIR; a volume in
# compose.yaml, so both containers share it).
RUN mkdir -p /run/zalo-bot/metrics && chown -R zalo-bot:zalo-bot /run/zalo-bot

USER zalo-bot
ENV PROMETHEUS_MULTIPROC_DIR=/run/zalo-bot/metrics \
    GUNICORN_BIND=0.0.0.0:8000
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"]
