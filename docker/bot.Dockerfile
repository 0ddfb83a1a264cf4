# Rasa 3.6.21 and the action server (Python 3.10). The model is trained at build time from the repository's
# own data, so the image always carries the model that belongs to its code.
FROM python:3.10-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=3 PYTHONPATH=/app
WORKDIR /app
COPY requirements/bot.txt requirements/bot.lock requirements/
RUN pip install --no-cache-dir -r requirements/bot.txt -c requirements/bot.lock
COPY bot/ bot/
COPY actions/ actions/
COPY knowledge/ knowledge/
COPY rasa_sdk_plugins/ rasa_sdk_plugins/
COPY data/ data/
RUN rasa train --config bot/config.yml --domain bot/domain --data data/nlu bot/rules.yml bot/rules_answers.yml \
      --out models --fixed-model-name gemeente-assistent
RUN useradd --system --uid 10001 bot && chown -R bot /app
USER bot
