# Reverses a unified diff (the fix of a planted bug is the bug's patch reversed): each hunk's
# ranges swap and its added and removed lines swap; headers stay. A hunk ends when the line
# counts of its header are used up, so file headers after it are never taken for its lines.
function count(range,   p) { p = index(range, ","); return p ? substr(range, p + 1) + 0 : 1 }
/^@@ / && !left_old && !left_new {
  split($0, w, " ")
  rest = $0; sub(/^@@ [^ ]+ [^ ]+ @@/, "", rest)
  old = substr(w[2], 2); new = substr(w[3], 2)
  left_old = count(old); left_new = count(new)
  print "@@ -" new " +" old " @@" rest
  next
}
left_old || left_new {
  c = substr($0, 1, 1)
  if (c == "-") { left_old--; print "+" substr($0, 2) }
  else if (c == "+") { left_new--; print "-" substr($0, 2) }
  else if (c == "\\") { print }
  else { left_old--; left_new--; print }
  next
}
{ print }
