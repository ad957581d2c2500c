-- The validators of a feed's last full answer (ETag, Last-Modified), sent back as
-- If-None-Match / If-Modified-Since: an unchanged feed then costs the site a 304, not
-- the whole document, however often it is polled.
ALTER TABLE feeds ADD COLUMN etag text, ADD COLUMN last_modified text;
