"""Job descriptions from URLs: a Scrapy spider, one subprocess per crawl."""
