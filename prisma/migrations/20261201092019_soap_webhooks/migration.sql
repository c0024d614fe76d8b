-- A SOAP webhook's route carries the service it serves (its WSDL); null for plain webhooks.
ALTER TABLE "webhook_routes" ADD COLUMN "soap" JSONB;
