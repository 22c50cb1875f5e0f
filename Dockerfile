# One image for the Rasa server, the action server and the retention job (docker-compose.yml,
# deploy/helm/). Build after `make setup` (the trained model and the spaCy pipeline are copied in):
#   docker build -t impact-assistent:1.0.0 .
FROM python:3.10-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=2 \
    RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 DATA_DIR=/app/var
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# A fixed numeric uid: Kubernetes' runAsNonRoot can only verify a numeric USER (the chart's
# securityContext.runAsUser is the same). /app/var holds no state in a deployment (PostgreSQL,
# Redis): it is only the scratch DATA_DIR default.
RUN useradd --create-home --uid 10001 --user-group assistent && mkdir -p /app/var \
    && chown assistent /app/var
USER 10001:10001
EXPOSE 5005 5055
CMD ["python", "-m", "bot", "serve", "rasa"]
