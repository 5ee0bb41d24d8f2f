"""Survey questions and options in more languages than English: staff write them on a question's
translations page, the bank's standard questions bring their own, and a respondent reads their language's
words with the English for anything not translated."""
