ALTER TABLE `bg_books` ADD `year` int;
