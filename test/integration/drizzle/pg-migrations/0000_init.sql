CREATE TABLE "bg_authors" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bg_books" (
	"id" serial PRIMARY KEY NOT NULL,
	"author_id" integer NOT NULL REFERENCES "bg_authors"("id"),
	"title" text NOT NULL
);
