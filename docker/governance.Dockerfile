# The governance service (Python 3.11): the only part the outside world reaches.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app
WORKDIR /app
COPY requirements/governance.txt requirements/
RUN pip install --no-cache-dir -r requirements/governance.txt
# the PII screen's lookup lists of Dutch names and streets (deduce) are built once, into the image
RUN python -c "from deduce import Deduce; Deduce()"
COPY alembic.ini ./
COPY governance/ governance/
COPY knowledge/ knowledge/
COPY data/ data/
RUN useradd --system --uid 10001 gov && mkdir -p /app/var && chown -R gov /app
USER gov
EXPOSE 8000
CMD ["python", "-m", "governance", "serve"]
