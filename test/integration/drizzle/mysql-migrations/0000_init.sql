CREATE TABLE `bg_authors` (
	`id` int AUTO_INCREMENT NOT NULL,
	`name` varchar(255) NOT NULL,
	CONSTRAINT `bg_authors_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `bg_books` (
	`id` int AUTO_INCREMENT NOT NULL,
	`author_id` int NOT NULL,
	`title` varchar(255) NOT NULL,
	CONSTRAINT `bg_books_id` PRIMARY KEY(`id`),
	CONSTRAINT `bg_books_author_id_fk` FOREIGN KEY (`author_id`) REFERENCES `bg_authors`(`id`)
);
