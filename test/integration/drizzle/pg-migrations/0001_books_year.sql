ALTER TABLE "bg_books" ADD COLUMN "year" integer;
