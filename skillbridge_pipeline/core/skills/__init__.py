"""Skills: the taxonomy, finding skills in text, and what a JD and the market say of them."""
